// Where an adapter puts invocations in subgroups: each invocation of one WG-sized workgroup writes its
// subgroup_invocation_id and subgroup_size at its local_invocation_index, and the sum of its index over its
// subgroup. The subgroup kernel variants assume aligned runs (id = index mod size); src/gpu/subgroups.ts checks it.
@group(0) @binding(0) var<storage, read_write> out: array<vec4<u32>>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sid: u32, @builtin(subgroup_size) size: u32) {
  let total = subgroupAdd(lid);
  if (lid < arrayLength(&out)) { out[lid] = vec4<u32>(sid, size, total, 0u); }
}
