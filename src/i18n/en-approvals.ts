import type { PartWord, RealtimeVoiceStrings } from './en.js';

/** English words of the approvals part (bundled into it; other languages hold them in their own file). */
export const approvalWords = {
  approvalAsk: '{server} asks to use the tool {tool}.',
  approvalArguments: 'With:',
  approve: 'Allow',
  deny: 'Deny',
} satisfies Partial<Pick<RealtimeVoiceStrings, PartWord>>;
