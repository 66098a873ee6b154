// The per-epoch row shuffle: a keyed bijection on [0, rows) (4-round Feistel network of half width hb bits,
// cycle-walking into range). CPU twin: src/core/permute.ts.
fn mix32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u; h *= 0x7feb352du; h ^= h >> 15u; h *= 0x846ca68bu; h ^= h >> 16u;
  return h;
}

fn permute(i: u32, rows: u32, key: u32, hb: u32) -> u32 {
  let mask = (1u << hb) - 1u;
  var v = i;
  loop {
    var l = v >> hb;
    var r = v & mask;
    for (var rd = 0u; rd < 4u; rd++) {
      let t = r;
      r = l ^ (mix32(r ^ (key + rd * 0x9e3779b9u)) & mask);
      l = t;
    }
    v = (l << hb) | r;
    if (v < rows) { break; }
  }
  return v;
}
