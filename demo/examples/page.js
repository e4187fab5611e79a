// Shared by the plain-HTML example pages (no framework, no inline script, so it also runs
// under the strict-CSP page): a message box and a transcript list for the page's widget.
const voice = document.querySelector('realtime-voice');
const form = document.querySelector('#send');
const list = document.querySelector('#transcript');
const state = document.querySelector('#state');
const lines = new Map();
voice.addEventListener('realtime-state', (e) => (state.textContent = e.detail.state));
voice.addEventListener('realtime-transcript', (e) => {
  let line = lines.get(e.detail.itemId);
  if (!line) {
    line = document.createElement('li');
    line.dataset.role = e.detail.role;
    lines.set(e.detail.itemId, line);
    list.append(line);
  }
  line.textContent = `${e.detail.role}: ${e.detail.text}`;
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  voice.sendText(form.message.value);
  form.message.value = '';
});
