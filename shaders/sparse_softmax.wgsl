// Forward pass of rows with a sparse block for a K-output (multiclass) loss: row i of a run [start, start+count) of a
// chunk (permuted when SHUFFLE) gets z_c = b_c + x'·W_c[0, dense) + Σ val·W_c[dense + idx] for each class c
// (parts/sparse_row.wgsl), then the linked loss (softmax_row, shaders/losses/softmax.wgsl) turns them into dL/dz_c.
// out holds 2 + 2K floats per run row: (loss, y, dL/dz_0 … dL/dz_{K−1}, z_0 … z_{K−1}); the backward sums are
// shaders/sparse_scatter.wgsl (K outputs), the z's evaluation's (summed on the host). One invocation per row.
// CPU twin: src/cpu/sparse_grad.ts.
@group(0) @binding(9) var<storage, read_write> zs: array<f32>; // 2 + 2K per run row (see above)

override K: u32 = 2;
// The loss part counts a confusion matrix when asked; evaluation here counts it on the host from the z's.
override CONFUSION: bool = false;
var<workgroup> confusion: array<atomic<u32>, 1>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let row = sparse_row(i);
  let d = params.dense + params.width;
  let base = i * (2u + 2u * K);
  for (var c = 0u; c < K; c++) {
    let z = sparse_z(row, c * d, model[K * d + c]);
    zs[base + 2u + c] = z;
    zs[base + 2u + K + c] = z;
  }
  let t = y[row];
  let r = softmax_row(base + 2u, u32(t));
  zs[base] = r.x;
  zs[base + 1u] = t;
}
