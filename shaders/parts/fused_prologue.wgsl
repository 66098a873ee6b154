// FUSED prologue of linear_grad: every workgroup sums the previous step's partial rows (its weight, bias and
// loss columns) and applies that step through apply_update's chain with the linked SGD part — weights
// prox(opt_update(w, g + ∂R/∂w)), the bias opt_update(b, g_b) — staging the weights in `wm`; workgroup 0 stores them
// at model_out and records the previous step's loss. ng invocations per column.
fn stage_weights(lid: u32, first: bool) {
  let cols = DP4 + 2u;
  let nc = min(cols, WG);
  let ng = WG / nc;
  let g = lid / nc;
  let apply = (params.fuse & 1u) != 0u;
  for (var c0 = 0u; c0 < cols; c0 += nc) {
    let c = c0 + lid % nc;
    var s = vec4<f32>(0.0);
    if (apply && g < ng && c < cols) {
      for (var r = g; r < params.prev_count; r += ng) { s += partials[(params.prev_base + r) * PSTRIDE4 + c]; }
    }
    tree[lid] = s;
    workgroupBarrier();
    if (g == 0u && c < cols) {
      for (var j = 1u; j < ng; j++) { s += tree[j * nc + lid]; }
      let mean = s * params.prev_inv_rows;
      if (c < DP4 + 1u) {
        var m = model[params.model_in + c];
        if (apply && c < DP4) { m = penalty_prox(opt_update(m, mean + penalty_grad(m), c, params.prev_lr), params.prev_lr); }
        if (apply && c == DP4 && (params.fuse & 4u) != 0u) { m = opt_update(m, vec4<f32>(mean.x, 0.0, 0.0, 0.0), c, params.prev_lr); }
        wm[c] = m;
        if (first && (params.fuse & 2u) != 0u) { model[params.model_out + c] = m; }
      } else if (apply && first) {
        history[params.prev_step] = mean.x;
      }
    }
    workgroupBarrier();
  }
}
