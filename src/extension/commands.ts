import * as vscode from 'vscode';
import type { ClientSession } from '../core/clientSession';
import type { ClientSessionEntity } from '../core/entity';
import { INSPECT_URI } from './inspectDocument';
import { checkEventName, parseProperties } from './trackEventInput';

/** Ids of the commands this extension contributes (category "Client Session"). */
export const COMMANDS = {
  trackEvent: 'clientSession.trackEvent',
  inspectSession: 'clientSession.inspectSession',
  startNewSession: 'clientSession.startNewSession',
  resetSession: 'clientSession.resetSession',
} as const;

/** How an event is tracked: the same function the extension's API offers. */
export type TrackEvent = (
  name: string,
  properties: Record<string, unknown>,
) => { readonly entity: ClientSessionEntity; readonly sent: boolean };

/**
 * Registers the four commands. Track Event asks for a name and optional JSON properties
 * (or takes them as arguments: `(name, propertiesJson?)`); bad input is refused with a
 * message and nothing is tracked.
 */
export function registerCommands(
  session: ClientSession,
  trackEvent: TrackEvent,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(
      COMMANDS.trackEvent,
      async (nameArgument?: unknown, propertiesArgument?: unknown) => {
        let name: string | undefined;
        let properties: Record<string, unknown> | undefined;
        if (nameArgument !== undefined) {
          // Called by another extension or a keybinding with arguments: no prompts.
          const problem =
            typeof nameArgument === 'string'
              ? checkEventName(nameArgument)
              : 'The name must be a string';
          const parsed =
            propertiesArgument === undefined
              ? { value: {} }
              : typeof propertiesArgument === 'string'
                ? parseProperties(propertiesArgument)
                : { error: 'The properties must be given as a JSON string' };
          if (problem !== undefined || parsed.error !== undefined) {
            void vscode.window.showErrorMessage(`Event not tracked: ${problem ?? parsed.error}`);
            return undefined;
          }
          name = nameArgument as string;
          properties = parsed.value;
        } else {
          name = await vscode.window.showInputBox({
            title: 'Track Event (1/2)',
            prompt: 'Event name',
            placeHolder: 'e.g. opened_settings',
            validateInput: checkEventName,
          });
          if (name === undefined) {
            return undefined;
          }
          const text = await vscode.window.showInputBox({
            title: 'Track Event (2/2)',
            prompt: 'Properties as a JSON object (optional; Enter for none)',
            placeHolder: '{"key": "value"}',
            validateInput: (value) => parseProperties(value).error,
          });
          if (text === undefined) {
            return undefined;
          }
          properties = parseProperties(text).value;
        }
        const { entity, sent } = trackEvent(name, properties ?? {});
        void vscode.window.showInformationMessage(
          `Tracked "${name}": session ${entity.sessionIndex} (${entity.sessionId}), ` +
            `event ${entity.eventIndex}` +
            (sent ? '' : '. Not sent: telemetry is off or no collector is set.'),
        );
        return entity;
      },
    ),
    vscode.commands.registerCommand(COMMANDS.inspectSession, async () => {
      const document = await vscode.workspace.openTextDocument(INSPECT_URI);
      await vscode.window.showTextDocument(document, { preview: false });
    }),
    vscode.commands.registerCommand(COMMANDS.startNewSession, () => {
      session.startNewSession();
      const current = session.snapshot().currentEntity;
      void vscode.window.showInformationMessage(
        current === undefined
          ? 'The next event starts a new session.'
          : `The next event starts a new session after session ${current.sessionIndex}.`,
      );
    }),
    vscode.commands.registerCommand(COMMANDS.resetSession, async () => {
      const keepUser = 'Reset Session';
      const forgetUser = 'Reset Session and User ID';
      const choice = await vscode.window.showWarningMessage(
        'Reset the client session?',
        {
          modal: true,
          detail:
            'This deletes the stored session (its id, index, event count and first event) ' +
            'for every window of this profile. The next event starts session 1. ' +
            `"${forgetUser}" also deletes the user id, so later events cannot be linked ` +
            'to earlier ones.',
        },
        keepUser,
        forgetUser,
      );
      if (choice === undefined) {
        return false;
      }
      await session.forgetSession({ forgetUserId: choice === forgetUser });
      void vscode.window.showInformationMessage(
        choice === forgetUser ? 'Session and user id deleted.' : 'Session deleted; user id kept.',
      );
      return true;
    }),
  ];
}
