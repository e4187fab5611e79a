// The markdown subset end to end: typed to the emulator, whose model quotes it back ("You wrote: …"),
// hostile HTML included; the answer's bubble holds the subset's elements and nothing of the HTML.
import { expect } from '@open-wc/testing';
import { record, voiceFixture } from '../support/harness.js';
import { waitFor } from './e2e-harness.js';

describe('markdown answers (real server, real call)', () => {
  it('an answer with markdown and HTML renders bold, code and the allowed link, and no HTML', async () => {
    const el = await voiceFixture({
      'token-url': '/api/token',
      transcript: '',
      'link-origins': 'https://shop.example',
    });
    el.muted = true;
    const transcripts = record(el, ['realtime-transcript']);
    expect(await el.start()).to.equal(true);
    el.sendText(
      'Order **7** is `ready` at [the shop](https://shop.example/o/7), not [here](https://evil.example) <img src=x onerror=alert(1)>',
    );
    await waitFor(transcripts, (t) => t.detail.role === 'assistant' && t.detail.final === true, 20_000, 'the answer');
    await el.updateComplete;
    const bubble = el.shadowRoot!.querySelector<HTMLElement>('[part~="assistant"]')!;
    expect(bubble.querySelector('strong')!.textContent).to.equal('7');
    expect(bubble.querySelector('code')!.textContent).to.equal('ready');
    const links = [...bubble.querySelectorAll('a')].map((a) => [a.textContent, a.href, a.rel]);
    expect(links).to.deep.equal([['the shop', 'https://shop.example/o/7', 'noopener noreferrer']]);
    expect(bubble.querySelector('img'), 'no element from the model’s HTML').to.equal(null);
    expect(bubble.textContent).to.contain('<img src=x onerror=alert(1)>');
    el.stop();
  });
});
