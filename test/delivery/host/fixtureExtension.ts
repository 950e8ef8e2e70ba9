/**
 * A minimal extension that uses the delivery binding the way an author would, for the
 * real-host check in nodeHost.smoke.mjs (bundled there with esbuild; never shipped). One
 * command logs a usage event and an error through the TelemetryLogger and shows what the
 * binding reported; another turns the user's telemetry level off, as the settings UI would.
 */
import * as vscode from 'vscode';
import { createClientSession } from '../../../src/vscode/createClientSession';
import { createSnowplowTelemetry } from '../../../src/vscode/snowplowTelemetry';

let dispose: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Snowplow Fixture', { log: true });
  const session = createClientSession(context, { followWindowFocus: false });
  const telemetry = createSnowplowTelemetry(context, session, {
    collectorUrl: vscode.workspace.getConfiguration('fixture').get<string>('collectorUrl', ''),
    logger: log,
    applicationContext: true,
    desktopContext: true,
    lifecycleEvents: true,
    sendDelayMs: 100,
    minRetryDelayMs: 500,
    maxRetryDelayMs: 1000,
  });
  dispose = telemetry.dispose;
  context.subscriptions.push(
    vscode.commands.registerCommand('fixture.track', () => {
      const tracked = telemetry.logUsage('fixtureEvent', { n: 1, file: '/home/someone/a.ts' });
      telemetry.logger.logError(new Error('fixture failure'), { where: 'command' });
      void vscode.window.showInformationMessage(
        `fixture: usage=${telemetry.logger.isUsageEnabled} ` +
          `errors=${telemetry.logger.isErrorsEnabled} ` +
          `eventIndex=${tracked?.session.eventIndex ?? 'none'}`,
      );
    }),
    vscode.commands.registerCommand('fixture.telemetryOff', async () => {
      await vscode.workspace
        .getConfiguration('telemetry')
        .update('telemetryLevel', 'off', vscode.ConfigurationTarget.Global);
    }),
  );
}

export function deactivate(): Promise<void> | undefined {
  return dispose?.();
}
