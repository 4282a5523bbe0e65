// Entry of the rule recognizers' worker thread (see rule-entity-thread.ts). A worker does not inherit the TypeScript
// loader of the thread that started it, so this plain-JavaScript entry registers tsx and then loads the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./rule-entity-worker-body.ts');
