// A row's target, sample weight and offset from the kernel's `y`: YS floats per row — the target, then its sample
// weight (SAMPLE_WEIGHTS), then its offset (OFFSETS); without them YS = 1 and y holds the targets alone. The host
// packs them (src/gpu/store.ts); CPU twin: HostChunk.y, .w and .o.
override YS: u32 = 1u;
override SAMPLE_WEIGHTS: bool = false;
override OFFSETS: bool = false;

fn row_target(row: u32) -> f32 { return y[row * YS]; }

fn row_weight(row: u32) -> f32 {
  if (SAMPLE_WEIGHTS) { return y[row * YS + 1u]; }
  return 1.0;
}

fn row_offset(row: u32) -> f32 {
  if (OFFSETS) { return y[row * YS + YS - 1u]; }
  return 0.0;
}
