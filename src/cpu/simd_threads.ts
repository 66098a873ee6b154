// How many threads take part in a job of the fast CPU backend, chosen by measurement: per size class (training or
// evaluation jobs whose rows take 2^c … 2^(c+1) − 1 bytes) a probe round times a few jobs on every thread and a few
// on the calling thread alone, in two blocks (the first job of each block, which finds the workers asleep or still
// spinning, is not counted), then the class runs on whichever had the lower median time per byte until the next
// round. A class starts with a few untimed jobs on every thread (the workers' code is still cold then); rounds then
// come 16, 64, … jobs apart, up to `every`, so the choice follows the machine's load (on a shared machine the second
// thread often has no core, and waking it every step costs more than it brings). Jobs of `large` bytes or more are not
// measured: they run on every thread, since a wake-up is then a small fraction of the job and the chunks are claimed as
// threads come, so a thread without a core delays the job by one chunk at most. The choice never changes results:
// a job's chunk split depends only on its bytes (simd_rows.ts). No clock here: the pool passes the times.

/** The chooser's knobs (jobs, not seconds). */
export interface ChooserTuning {
  /** Jobs timed per side in a probe round (default 3). */
  probe: number;
  /** Jobs run but not timed at the start of each side's block (default 1). */
  warm: number;
  /**
   * Untimed jobs on every thread before a class's first probe round (default 4); the gaps between rounds grow 4× from
   * it up to `every`, and come back to it when a round changes the choice.
   */
  first: number;
  /** Jobs between probe rounds at most (default 256: about one epoch at B = 4096, D = 64, N = 1M). */
  every: number;
  /**
   * Bytes of rows from which a job always runs on every thread, unmeasured (default 32 MiB: ~10 ms of work, where a
   * wake-up costs ~0.1 ms; a full pass of a solver over 1M × 32 is 132 MB, and probing it alone cost two of ten passes).
   */
  large: number;
}

export const DEFAULT_TUNING: ChooserTuning = { probe: 3, warm: 1, first: 4, every: 256, large: 32 << 20 };

const CLASSES = 64;
/** Per-class words: position in the cycle, the choice (1: every thread), jobs between rounds, rounds done. */
const POS = 0, CHOICE = 1, GAP = 2, ROUND = 3, WORDS = 4;

/** Size classes: 0–31 training steps by log2 of their bytes, 32–63 evaluations (their loss costs more per row). */
const classOf = (bytes: number, train: boolean) => 31 - Math.clz32(Math.max(1, bytes)) + (train ? 0 : 32);

/** Picks, per job size class, every thread or the calling thread alone; told each job's time afterwards. */
export class ThreadChooser {
  readonly tuning: ChooserTuning;
  private readonly state = new Float64Array(CLASSES * WORDS);
  /** Per class: `probe` times per byte on every thread, then `probe` on one. */
  private readonly samples: Float64Array;
  private readonly sorted: Float64Array;
  private cls = -1;
  private bytes = 1;
  private counted = -1;
  /** Jobs run on every thread and on the calling thread alone (for reports). */
  jobsAll = 0;
  jobsAlone = 0;

  constructor(tuning: Partial<ChooserTuning> = {}) {
    const t = (this.tuning = { ...DEFAULT_TUNING, ...tuning });
    if (!(t.probe >= 1 && t.warm >= 0 && t.first >= 0 && t.every >= t.first && t.large >= 0)) throw new Error(`bad thread chooser tuning ${JSON.stringify(t)}`);
    this.samples = new Float64Array(CLASSES * 2 * t.probe);
    this.sorted = new Float64Array(t.probe);
    for (let c = 0; c < CLASSES; c++) {
      this.state[c * WORDS + CHOICE] = 1;
      this.state[c * WORDS + GAP] = t.first;
      if (t.first > 0) this.state[c * WORDS + POS] = 2 * (t.warm + t.probe); // `first` jobs as if after a round
    }
  }

  /** Whether the next job (`bytes` bytes of rows; a training step or else an evaluation) runs on every thread; `done(seconds)` follows it. */
  pick(bytes: number, train = true): boolean {
    if (bytes >= this.tuning.large) {
      this.cls = -1;
      this.jobsAll++;
      return true;
    }
    this.bytes = Math.max(1, bytes);
    const c = (this.cls = classOf(this.bytes, train));
    const s = c * WORDS;
    const { probe, warm } = this.tuning;
    const side = warm + probe;
    const pos = this.state[s + POS];
    let all: boolean;
    this.counted = -1;
    if (pos < 2 * side) {
      // Odd rounds time the calling thread first, so a drift in load does not always favour the same side.
      const second = pos >= side;
      all = second === (this.state[s + ROUND] % 2 === 1);
      const i = pos - (second ? side : 0);
      if (i >= warm) this.counted = (c * 2 + (all ? 0 : 1)) * probe + (i - warm);
    } else all = this.state[s + CHOICE] === 1;
    if (all) this.jobsAll++;
    else this.jobsAlone++;
    return all;
  }

  /** Records the time of the job `pick` was last asked about. */
  done(seconds: number): void {
    const c = this.cls;
    if (c < 0) return;
    const s = c * WORDS;
    const { probe, warm } = this.tuning;
    const side = warm + probe;
    if (this.counted >= 0) this.samples[this.counted] = seconds / this.bytes;
    const pos = ++this.state[s + POS];
    if (pos === 2 * side) this.decide(c);
    if (pos >= 2 * side + this.state[s + GAP]) {
      this.state[s + POS] = 0;
      this.state[s + GAP] = Math.min(this.tuning.every, Math.max(1, this.state[s + GAP] * 4));
    }
    this.cls = -1;
  }

  /** The current choice for a size (true: every thread), as `pick` would give outside a probe round. */
  choice(bytes: number, train = true): boolean {
    return bytes >= this.tuning.large || this.state[classOf(bytes, train) * WORDS + CHOICE] === 1;
  }

  /**
   * Ends a probe round: the side with the lower median time per byte wins (a tie goes to one thread: less CPU). A
   * changed choice brings the next round back to `first` jobs away: the load has moved, or a round was misled.
   */
  private decide(c: number): void {
    const s = c * WORDS;
    const choice = this.median(c * 2) < this.median(c * 2 + 1) ? 1 : 0;
    if (this.state[s + ROUND] > 0 && choice !== this.state[s + CHOICE]) this.state[s + GAP] = this.tuning.first;
    this.state[s + CHOICE] = choice;
    this.state[s + ROUND]++;
  }

  private median(side: number): number {
    const { probe } = this.tuning;
    const a = this.sorted;
    for (let i = 0; i < probe; i++) {
      const v = this.samples[side * probe + i];
      let j = i;
      for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
      a[j] = v;
    }
    return probe % 2 === 1 ? a[(probe - 1) / 2] : (a[probe / 2 - 1] + a[probe / 2]) / 2;
  }
}
