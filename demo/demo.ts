// Wires the demo page: settings form ↔ element attributes, a page tool, and a live event log.
import '../src/index.ts';
import type { RealtimeVoice } from '../src/index.ts';

const voice = document.querySelector<RealtimeVoice>('#voice')!;
const form = document.querySelector<HTMLFormElement>('#settings')!;
const log = document.querySelector<HTMLOListElement>('#log')!;
const hint = document.querySelector<HTMLParagraphElement>('#mode-hint')!;
const ATTRIBUTES = [
  'token-url',
  'connect-url',
  'voice',
  'instructions',
  'layout',
  'visualizer',
  'theme',
  'lang',
  'turn-detection',
  'eagerness',
  'output-modalities',
  'max-output-tokens',
] as const;
const SWITCHES = ['transcript', 'text-input', 'meters', 'devices', 'push-to-talk', 'persist'] as const;

// Address parameters (e.g. ?token-url=/token&meters=0&layout=compact) fill the form; the form drives the element.
const params = new URLSearchParams(location.search);
for (const name of [...ATTRIBUTES, ...SWITCHES, 'tool']) {
  const field = form.elements.namedItem(name) as HTMLInputElement | null;
  const value = params.get(name);
  if (!field || value === null) continue;
  if (field.type === 'checkbox') field.checked = value !== '0' && value !== 'false';
  else field.value = value;
}

/** A tool the model may call, run here in the page. */
const localTime = {
  name: 'get_local_time',
  description: "The user's local date and time",
  parameters: { type: 'object', properties: {} },
  handler: () => ({ time: new Date().toLocaleTimeString(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
};

// The server's sign-in, asked for before each call (README, "Sign-in"): a one-time ticket from the site's
// backend. `AUTH_MODE=ticket AUTH_TICKET_SECRET=… npm start` serves /demo-ticket; by default (none) it is
// absent and no Authorization is sent.
voice.authorization = async () => {
  const response = await fetch('/demo-ticket');
  return response.ok ? response.text() : undefined;
};

function apply(): void {
  for (const name of ATTRIBUTES) {
    const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    if (value) voice.setAttribute(name, value);
    else voice.removeAttribute(name);
  }
  for (const name of SWITCHES) voice.toggleAttribute(name, (form.elements.namedItem(name) as HTMLInputElement).checked);
  // persist is about reloads: the address keeps the choice, so a reload shows the kept conversation.
  const address = new URL(location.href);
  if (voice.hasAttribute('persist')) address.searchParams.set('persist', '1');
  else address.searchParams.delete('persist');
  history.replaceState(null, '', address);
  voice.tools = (form.elements.namedItem('tool') as HTMLInputElement).checked ? [localTime] : [];
  hint.textContent = voice.connectUrl
    ? 'Connect mode: the offer goes to your server.'
    : voice.tokenUrl
      ? 'Token mode: the page fetches an ephemeral token, then calls the realtime service.'
      : 'Enter a token URL or a connect URL to start.';
}
form.addEventListener('input', apply);
apply();

document.querySelector('#clear-log')!.addEventListener('click', () => log.replaceChildren());

function addLog(kind: string, text: string): void {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  log.prepend(item);
  while (log.childElementCount > 300) log.lastElementChild!.remove();
}

voice.addEventListener('realtime-event', (e) => addLog('event', e.detail.type));
voice.addEventListener('realtime-state', (e) => addLog('state', `state: ${e.detail.state}`));
voice.addEventListener('realtime-error', (e) => addLog('error', `error ${e.detail.code}: ${e.detail.message}`));
// What a page can show as cost: the running totals after each answer.
voice.addEventListener('realtime-usage', (e) => {
  const { call, conversation } = e.detail;
  addLog('state', `usage: this call ${call.totalTokens} tokens, the conversation ${conversation.totalTokens}`);
});
