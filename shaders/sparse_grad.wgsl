// Forward pass of rows with a sparse block (one output): row i of a run [start, start+count) of a chunk (permuted when
// SHUFFLE) gets z = b + x'·w_dense + Σ val·w[DENSE + idx] (parts/sparse_row.wgsl) and out[i] = (loss, dL/dz, z, y)
// from the linked loss (z and y: evaluation's metrics, summed on the host). One invocation per row. The backward sums
// are shaders/sparse_scatter.wgsl. CPU twin: src/cpu/sparse_grad.ts.
@group(0) @binding(9) var<storage, read_write> out: array<vec4<f32>>; // per run row: (loss, dL/dz, z, y)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let row = sparse_row(i);
  let z = sparse_z(row, 0u, model[params.dense + params.width]);
  let t = y[row];
  let le = loss_eval(z, t);
  out[i] = vec4<f32>(le.x, le.y, z, t);
}
