// The offer to resume a run that a reload interrupted (saved_run.ts): "A run was interrupted at epoch 100 of
// 100,000 (homes.csv, squared loss, CPU)" with Resume and Discard, shown under Start when the page opens.
import { BACKEND_LABEL } from '../charts/plot';
import { byId } from '../views';
import { discardRun, interruptedRun, type Interrupted } from './saved_run';

/** The offer: shown when a run was interrupted; Resume hands it to `resume`. */
export class ResumeOffer {
  private found: Interrupted | null = null;

  constructor(private readonly resume: (r: Interrupted) => void) {
    byId('resume-run').addEventListener('click', () => {
      const r = this.found;
      this.hide();
      if (r) this.resume(r);
    });
    byId('resume-discard').addEventListener('click', () => {
      this.hide();
      void discardRun();
    });
  }

  /** Looks for an interrupted run and offers it. */
  async look(): Promise<void> {
    const r = await interruptedRun();
    if (!r) return;
    this.found = r;
    const kinds = Object.keys(r.checkpoints).map((k) => BACKEND_LABEL[k as keyof typeof BACKEND_LABEL]).join(' and ');
    byId('resume-text').textContent = `A run was interrupted when the page was reloaded or closed: ${r.run.name}, the ${r.run.loss} loss, ` +
      `on ${kinds}. Its last checkpoint is at epoch ${r.epoch.toLocaleString('en-US')} of ${r.run.epochs.toLocaleString('en-US')}.`;
    byId('resume').hidden = false;
  }

  /** Hides the offer (a run started, or the user answered). */
  hide(): void {
    this.found = null;
    byId('resume').hidden = true;
  }
}
