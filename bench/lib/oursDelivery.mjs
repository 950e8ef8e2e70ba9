// Our delivery (issue 4: SnowplowTracker and its TelemetrySender) and the VS Code binding's
// globalState store, bundled for the benchmarks. When a part is not in the repository yet,
// every measurement that needs it reports "not measured" with the reason instead.
import { loadOurs } from './ours.mjs';

const SOURCE = `
export { ClientSession } from './src/core/clientSession';
export { InMemorySessionStore } from './src/core/sessionStore';
export { GlobalStateSessionStore } from './src/vscode/globalStateSessionStore';
export { SnowplowTracker, SnowplowTelemetrySender, InMemoryQueueStorage } from './src/delivery';
`;

/**
 * Bundles and loads our delivery. Resolves `{ exports, file }` or `{ missing }`.
 */
export function loadOursDelivery() {
  return loadOurs('delivery', SOURCE, [
    'src/delivery/index.ts',
    'src/delivery/sender.ts',
    'src/vscode/globalStateSessionStore.ts',
  ]);
}
