// Wires the demo page: settings form ↔ element attributes, transcript and a live event log.
import '../src/index.ts';
import type { RealtimeVoice } from '../src/index.ts';

const voice = document.querySelector<RealtimeVoice>('#voice')!;
const form = document.querySelector<HTMLFormElement>('#settings')!;
const log = document.querySelector<HTMLOListElement>('#log')!;
const transcript = document.querySelector<HTMLOListElement>('#transcript')!;
const hint = document.querySelector<HTMLParagraphElement>('#mode-hint')!;
const ATTRIBUTES = ['token-url', 'connect-url', 'voice', 'instructions'] as const;

// Address parameters (e.g. ?token-url=/token) fill the form; the form drives the element.
const params = new URLSearchParams(location.search);
for (const name of ATTRIBUTES) {
  const field = form.elements.namedItem(name) as HTMLInputElement | null;
  const value = params.get(name);
  if (field && value !== null) field.value = value;
}

function apply(): void {
  for (const name of ATTRIBUTES) {
    const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    if (value) voice.setAttribute(name, value);
    else voice.removeAttribute(name);
  }
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

const lines = new Map<string, HTMLLIElement>();
voice.addEventListener('realtime-transcript', (e) => {
  const { itemId, role, text, final } = e.detail;
  let line = lines.get(itemId);
  if (!line) {
    line = document.createElement('li');
    line.dataset.role = role;
    lines.set(itemId, line);
    transcript.append(line);
  }
  line.textContent = `${role === 'user' ? 'You' : 'Assistant'}: ${text}`;
  line.classList.toggle('partial', !final);
});
