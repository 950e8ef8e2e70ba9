/** One accepted event: its raw payload, its parsed envelopes and what the collector prints. */
export interface CollectedEvent {
  readonly payload: Record<string, string>;
  readonly contexts: { schema: string; data: Array<{ schema: string; data: unknown }> } | undefined;
  readonly unstruct:
    { schema: string; data: { schema: string; data: Record<string, unknown> } } | undefined;
  readonly problems: string[];
  readonly summary: {
    readonly eid: string;
    readonly name: string;
    readonly sessionId: string | undefined;
    readonly sessionIndex: number | undefined;
    readonly eventIndex: number | null | undefined;
    readonly entities: string[];
  };
}

/** One request to the tp2 path; `status` is -1 while it hangs and 0 before it is answered. */
export interface CollectorRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: number;
  readonly body: string;
  readonly status: number;
  readonly problems?: string[];
}

export interface Collector {
  /** `http://127.0.0.1:PORT`: what a tracker is configured with. */
  readonly url: string;
  /** The tp2 endpoint under {@link url}. */
  readonly endpoint: string;
  readonly received: CollectedEvent[];
  readonly requests: CollectorRequest[];
  fail(status: number | 'hang', options?: { times?: number; retryAfter?: number | string }): void;
  recover(): void;
  waitForEvents(count: number): Promise<void>;
  waitForRequests(count: number): Promise<void>;
  waitFor(ready: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export interface CollectorOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  readonly onEvent?: (event: CollectedEvent) => void;
  readonly log?: (line: string) => void;
}

/** Starts a validating collector on 127.0.0.1. */
export function startCollector(options?: CollectorOptions): Promise<Collector>;
export const TP2_PATH: string;
