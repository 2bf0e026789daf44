import type { Dispatcher } from 'undici';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * An undici dispatch handler that collects one whole answer in memory: what `pool.request()` +
 * `body.json()` do, without a Readable stream, an abort signal and two promises per call. The
 * answers it collects are small JSON documents.
 *
 * `abandon(reason)` settles the call at once with `reason` (its time budget ran out) and aborts
 * the request: now if it is on a connection, or as soon as the pool hands it one.
 */
export class BufferedCall implements Dispatcher.DispatchHandler {
  readonly done: Promise<RawAnswer>;
  #resolve!: (answer: RawAnswer) => void;
  #reject!: (error: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #abandoned: Error | undefined;
  #settled = false;
  #status = 0;
  #headers: RawAnswer['headers'] = {};
  #chunks: Buffer[] = [];

  constructor() {
    this.done = new Promise<RawAnswer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  abandon(reason: Error): void {
    if (this.#settled) return;
    this.#abandoned = reason;
    this.#controller?.abort(reason);
    this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#abandoned) controller.abort(this.#abandoned);
    else this.#controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: RawAnswer['headers']) {
    this.#status = status;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#resolve({ status: this.#status, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
}
