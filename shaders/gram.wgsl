// Gram partials ZᵀZ of the shifted, augmented rows z = (x − shift, (y − y_shift, 1, 0, 0), zero padding to Z4 vec4s) of
// rows [start, start+count) of a chunk, as 2 × 2 blocks of 4 × 4 tiles over the upper triangle. Workgroup (gx, gy)
// reads SPAN rows from gx·SPAN in batches of RB rows staged in workgroup memory; invocation i owns block gy·BPW + i % BPW
// and every LANES-th row of a batch from i / BPW (lanes keep small D busy). Batch sums in f32 registers are added to
// the running sums with Kahan's compensation (the error does not grow with SPAN); each (workgroup, lane) writes its
// sums, then its compensations, per tile. The host adds the partials in f64.
struct Params {
  start: u32,        // first row of this piece in the chunk
  count: u32,        // rows in this piece
  span: u32,         // rows per workgroup (along x)
  blocks: u32,       // 2 × 2 blocks of the upper triangle: (Z4/2)·(Z4/2 + 1)/2
  partial_base: u32, // first partial this dispatch writes
  y_shift: f32,      // subtracted from y
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<XWord>;                    // DP4 words per row (the data part's)
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> shift: array<vec4<f32>>;            // DP4 vec4s (padding 0)
@group(0) @binding(4) var<storage, read> pairs: array<vec2<u32>>;            // block → (A, B), A ≤ B: tiles 2A.., 2B..
@group(0) @binding(5) var<storage, read_write> partials: array<mat4x4<f32>>; // per partial: 4·blocks sums, 4·blocks compensations
@group(0) @binding(6) var<storage, read> weights: array<f32>;                // WEIGHTED: a factor per row of the piece

override BPW: u32 = 64;   // blocks per workgroup
override LANES: u32 = 1;  // row lanes per block, ≤ RB
override WG: u32 = 64;    // BPW·LANES
override DP4: u32 = 16;  // padded features / 4
override Z4: u32 = 18;   // DP4 + 1 rounded up to even
override RB: u32 = 16;   // rows per staged batch
override WEIGHTED: bool = false; // scale each row z by weights[row] (Σ (s·z)(s·z)ᵀ: s = √w gives Σ w·zzᵀ)

var<workgroup> rowbuf: array<vec4<f32>, RB * Z4>;

fn outer(m: ptr<function, mat4x4<f32>>, a: vec4<f32>, b: vec4<f32>) {
  (*m)[0] = fma(a, vec4<f32>(b.x), (*m)[0]);
  (*m)[1] = fma(a, vec4<f32>(b.y), (*m)[1]);
  (*m)[2] = fma(a, vec4<f32>(b.z), (*m)[2]);
  (*m)[3] = fma(a, vec4<f32>(b.w), (*m)[3]);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let first = group.x * params.span;
  let last = min(first + params.span, params.count);
  let lane = li / BPW;
  let blk = group.y * BPW + li % BPW;
  let ab = 2u * select(vec2<u32>(0u, 0u), pairs[min(blk, params.blocks - 1u)], blk < params.blocks);
  var sum: array<mat4x4<f32>, 4>;
  var comp: array<mat4x4<f32>, 4>;
  for (var r0 = first; r0 < last; r0 += RB) {
    for (var k = li; k < RB * Z4; k += WG) {
      let row = r0 + k / Z4;
      let c = k % Z4;
      var v = vec4<f32>(0.0);
      if (row < last && c <= DP4) {
        let at = params.start + row;
        v = select(vec4<f32>(y[at] - params.y_shift, 1.0, 0.0, 0.0), x_word(at * DP4 + min(c, DP4 - 1u)) - shift[min(c, DP4 - 1u)], c < DP4);
        if (WEIGHTED) { v *= weights[row]; }
      }
      rowbuf[k] = v;
    }
    workgroupBarrier();
    var m = array<mat4x4<f32>, 4>();
    for (var r = lane; r < RB; r += LANES) {
      let a0 = rowbuf[r * Z4 + ab.x];
      let a1 = rowbuf[r * Z4 + ab.x + 1u];
      let b0 = rowbuf[r * Z4 + ab.y];
      let b1 = rowbuf[r * Z4 + ab.y + 1u];
      outer(&m[0], a0, b0);
      outer(&m[1], a0, b1);
      outer(&m[2], a1, b0);
      outer(&m[3], a1, b1);
    }
    for (var q = 0u; q < 4u; q++) {
      // Kahan: sum + (batch − comp), keeping what the addition rounded away.
      let yv = m[q] - comp[q];
      let s = sum[q] + yv;
      comp[q] = (s - sum[q]) - yv;
      sum[q] = s;
    }
    workgroupBarrier();
  }
  if (blk < params.blocks) {
    let base = ((params.partial_base + group.x) * LANES + lane) * 8u * params.blocks;
    for (var q = 0u; q < 4u; q++) {
      partials[base + 4u * blk + q] = sum[q];
      partials[base + 4u * (params.blocks + blk) + q] = comp[q];
    }
  }
}
