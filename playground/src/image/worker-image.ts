/**
 * The image mode's half of the training worker: it loads the bundled digits
 * once, owns the ImageSession, and trains in chunks of about CHUNK_MS as fast
 * as it can, sending a snapshot whenever the page has drawn the previous one.
 * Between chunks it answers the page (pause, a drawn digit to classify, a new
 * digit to probe), so the page stays live while the CNN trains.
 */
import mnistUrl from 'virtual:mnist-subset';
import { DivergenceError } from '../lib.js';
import { loadDigits, type Digits } from './data.js';
import type { ImageFromWorker, ImageSnapshot, ImageToWorker } from './protocol.js';
import { ImageSession } from './session.js';
import type { ImageState } from './spec.js';

const CHUNK_MS = 25;

type Post = (message: ImageFromWorker, transfer?: Transferable[]) => void;

export class ImageTrainer {
  private digits: Promise<Digits> | null = null;
  private session: ImageSession | null = null;
  private last: { state: ImageState; generation: number } | null = null;
  private running = false;
  /** Pause at the end of the current epoch (the step button). */
  private stepping = false;
  private acked = true;
  private dirty = false;
  private scheduled = false;
  private readonly channel = new MessageChannel();

  constructor(
    private readonly post: Post,
    /** Called before the image mode starts training, so the dense mode pauses. */
    private readonly onPlay: () => void,
    /** Selects the image mode's backend; called before every use of its network. */
    private readonly useBackend: () => void,
  ) {
    this.channel.port1.onmessage = () => this.tick();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.channel.port2.postMessage(null);
  }

  private tick(): void {
    this.scheduled = false;
    const s = this.session;
    if (!this.running || !s) return;
    this.useBackend();
    try {
      const ended = s.trainFor(CHUNK_MS);
      if (ended && this.stepping) this.setRunning(false);
      this.send();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (this.running) this.schedule();
  }

  setRunning(value: boolean): void {
    if (value) this.onPlay();
    if (this.running === value) return;
    this.running = value;
    if (!value) this.stepping = false;
    this.post({ type: 'image:running', running: value });
    if (value) this.schedule();
    // The snapshot held back while the page drew the previous one.
    else if (this.dirty) this.send(true);
  }

  /** Pauses without a message when nothing runs (the dense mode starting). */
  pause(): void {
    if (this.running) this.setRunning(false);
  }

  private send(force = false): void {
    const s = this.session;
    if (!s) return;
    if (!this.acked && !force) {
      this.dirty = true;
      return;
    }
    const snap = s.snapshot();
    this.acked = false;
    this.dirty = false;
    this.post({ type: 'image:snapshot', snapshot: snap }, transferables(snap));
  }

  private fail(e: unknown): void {
    this.setRunning(false);
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof DivergenceError) {
      this.post({ type: 'image:diverged', message });
      this.send(true);
    } else this.post({ type: 'image:error', generation: this.last?.generation ?? 0, message });
  }

  private async configure(state: ImageState, generation: number): Promise<void> {
    this.digits ??= loadDigits(mnistUrl);
    let digits: Digits;
    try {
      digits = await this.digits;
    } catch (e) {
      this.digits = null;
      this.post({ type: 'image:error', generation, message: e instanceof Error ? e.message : String(e) });
      return;
    }
    let session: ImageSession;
    this.useBackend();
    try {
      session = new ImageSession(state, digits, generation);
    } catch (e) {
      // An architecture the library refuses (a layer's output would be empty, ...): say why, keep the old run.
      this.post({ type: 'image:error', generation, message: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.setRunning(false);
    const probe = this.session?.probe ?? 0;
    this.session?.dispose();
    this.session = session;
    session.probe = probe;
    this.last = { state, generation };
    const info = session.info();
    this.post({ type: 'image:data', info }, [info.devPixels.buffer]);
    this.send(true);
  }

  async handle(msg: ImageToWorker): Promise<void> {
    this.useBackend();
    const s = this.session;
    switch (msg.type) {
      case 'image:configure':
        await this.configure(msg.state, msg.generation);
        break;
      case 'image:reset':
        if (this.last) await this.configure({ ...this.last.state, learningRate: s?.learningRate ?? this.last.state.learningRate }, msg.generation);
        break;
      case 'image:play':
        if (s) this.setRunning(true);
        break;
      case 'image:pause':
        this.setRunning(false);
        break;
      case 'image:step':
        if (!s) break;
        this.stepping = true;
        this.setRunning(true);
        break;
      case 'image:rate':
        if (s) s.learningRate = msg.value;
        break;
      case 'image:probe':
        if (!s) break;
        s.probe = msg.index;
        if (!this.running) this.send(true);
        break;
      case 'image:classify':
        if (s) {
          const probs = s.classify(msg.pixels);
          this.post({ type: 'image:probs', id: msg.id, probs }, [probs.buffer]);
        }
        break;
      case 'image:ack':
        this.acked = true;
        if (this.dirty && !this.running) this.send();
        break;
      case 'image:export':
        if (s) {
          const { manifest, weights } = s.exportModel();
          this.post({ type: 'image:model', manifest, weights }, [weights.buffer]);
        }
        break;
    }
  }
}

function transferables(s: ImageSnapshot): Transferable[] {
  const list: Transferable[] = [...s.maps.map((m) => m.data.buffer), ...s.filters.map((f) => f.data.buffer)];
  if (s.evaluation) list.push(s.evaluation.confusion.buffer, s.evaluation.predicted.buffer, s.evaluation.confidence.buffer);
  return list;
}
