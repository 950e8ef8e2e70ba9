import * as vscode from 'vscode';
import type { ClientSession } from '../core/clientSession';

/** The scheme of the read-only Inspect Session document. */
export const INSPECT_SCHEME = 'client-session';

/** The document Inspect Session opens; `.json` gives it JSON highlighting. */
export const INSPECT_URI = vscode.Uri.from({
  scheme: INSPECT_SCHEME,
  path: '/Client Session.json',
});

/**
 * Serves the Inspect Session document: what the next event would carry, the background
 * state, the timeouts, the time until expiry and the stored record, as JSON. Documents of a
 * content provider are read-only. The text is refreshed when the session changes and, while
 * the document is open, once a second for the countdown.
 */
export class InspectSessionDocument
  implements vscode.TextDocumentContentProvider, vscode.Disposable
{
  readonly #onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.#onDidChange.event;
  readonly #subscriptions: vscode.Disposable[] = [];
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly session: ClientSession) {
    this.#subscriptions.push(
      session.onDidChangeState(() => this.#onDidChange.fire(INSPECT_URI)),
      vscode.workspace.onDidOpenTextDocument((document) => this.#updateTicker(document, true)),
      vscode.workspace.onDidCloseTextDocument((document) => this.#updateTicker(document, false)),
    );
  }

  provideTextDocumentContent(): string {
    const snapshot = this.session.snapshot();
    const view = {
      nextEvent: snapshot.nextEntity,
      nextEventStartsSession: snapshot.nextEventStartsSession,
      isBackground: snapshot.isBackground,
      foregroundTimeoutSeconds: snapshot.foregroundTimeoutSeconds,
      backgroundTimeoutSeconds: snapshot.backgroundTimeoutSeconds,
      secondsUntilExpiry: Math.ceil(snapshot.msUntilExpiry / 1000),
      lastActivity:
        snapshot.lastActivity === undefined ? null : new Date(snapshot.lastActivity).toISOString(),
      storedRecord: this.session.readStoredRecord() ?? null,
    };
    return `${JSON.stringify(view, null, 2)}\n`;
  }

  #updateTicker(document: vscode.TextDocument, opened: boolean): void {
    if (document.uri.toString() !== INSPECT_URI.toString()) {
      return;
    }
    if (opened && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.#onDidChange.fire(INSPECT_URI), 1000);
    } else if (!opened && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  dispose(): void {
    if (this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    this.#subscriptions.forEach((s) => s.dispose());
    this.#onDidChange.dispose();
  }
}
