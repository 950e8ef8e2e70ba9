/**
 * A minimal web extension for webHost.smoke.mjs (bundled there; never shipped). The web
 * build served by @vscode/test-web has telemetry disabled in its product, so the
 * TelemetryLogger allows nothing there; this fixture therefore drives the host-independent
 * SnowplowTracker directly, with consent given by the test, to check what the web host adds:
 * `fetch` from a worker to another origin, and the queue in `globalStorageUri` through
 * `workspace.fs`.
 */
import * as vscode from 'vscode';
import { createClientSession } from '../../../src/vscode/createClientSession';
import { SnowplowTracker } from '../../../src/delivery/tracker';
import { QUEUE_FOLDER } from '../../../src/vscode/snowplowTelemetry';
import { WorkspaceFsQueueStorage } from '../../../src/vscode/telemetryQueueStorage';

let tracker: SnowplowTracker | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const session = createClientSession(context);
  const folder = vscode.Uri.joinPath(context.globalStorageUri, QUEUE_FOLDER);
  const storage = new WorkspaceFsQueueStorage(folder);
  const queueFiles = async () =>
    (await storage.list()).filter((name) => name.startsWith('events-')).length;
  context.subscriptions.push(
    vscode.commands.registerCommand('fixture.track', async () => {
      const collectorUrl = await vscode.window.showInputBox({ title: 'Collector URL' });
      tracker ??= new SnowplowTracker({
        collectorUrl: collectorUrl ?? '',
        appId: context.extension.id,
        session,
        storage,
        consent: { usage: true, errors: true },
        sendDelayMs: 100,
        minRetryDelayMs: 500,
        maxRetryDelayMs: 1000,
      });
      tracker.trackNamedEvent('webFixtureEvent', { n: 1 });
      tracker.trackError(new Error('web fixture failure'));
      await tracker.flush();
      void vscode.window.showInformationMessage(
        `fixture: queued=${tracker.queuedEventCount} files=${await queueFiles()}`,
      );
    }),
    vscode.commands.registerCommand('fixture.files', async () => {
      void vscode.window.showInformationMessage(`fixture files: ${await queueFiles()}`);
    }),
  );
}

export function deactivate(): Promise<void> | undefined {
  return tracker?.dispose();
}
