// The assistant's markdown subset: what renders, and that nothing the model writes becomes HTML or a
// link the page did not allow. Fed through the session's transcript events (no call needed).
import { expect } from '@open-wc/testing';
import { part, voiceFixture } from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

function say(el: RealtimeVoice, text: string, final = true, itemId = 'a1'): void {
  el.session.dispatchEvent(
    new CustomEvent('realtime-transcript', { detail: { role: 'assistant', itemId, text, delta: text, final } }),
  );
}

/** The assistant bubble's content (the hidden speaker label left out). */
async function bubble(el: RealtimeVoice, text: string): Promise<HTMLElement> {
  say(el, text);
  await el.updateComplete;
  const message = el.shadowRoot!.querySelector<HTMLElement>('[part~="assistant"]')!;
  return message;
}

/** Every element in the bubble but the speaker label, as tag names. */
const tags = (message: HTMLElement) =>
  [...message.querySelectorAll('*')].filter((n) => !n.classList.contains('visually-hidden')).map((n) => n.localName);

describe('the assistant’s markdown, safely', () => {
  it('paragraphs, bold, italics, lists and inline code', async () => {
    const el = await voiceFixture({ transcript: '' });
    const message = await bubble(
      el,
      'Here is **the plan**, *roughly*:\n- buy `milk`\n- call _Ada_\n\n1. first\n2. second\n\nThat is all.',
    );
    expect(tags(message)).to.deep.equal([
      'span',
      'strong',
      'em',
      'ul',
      'li',
      'code',
      'li',
      'em',
      'ol',
      'li',
      'li',
      'span',
    ]);
    expect(message.querySelector('strong')!.textContent).to.equal('the plan');
    expect(message.querySelector('code')!.textContent).to.equal('milk');
    expect([...message.querySelectorAll('ol li')].map((li) => li.textContent)).to.deep.equal(['first', 'second']);
    expect(message.textContent).to.contain('That is all.');
  });

  it('HTML from the model stays text: no element, no handler, no script runs', async () => {
    const el = await voiceFixture({ transcript: '' });
    const fired: string[] = [];
    (window as unknown as { pwned: (s: string) => void }).pwned = (s) => fired.push(s);
    const hostile =
      '<img src=x onerror="pwned(1)"> <script>pwned(2)</script> <a href="javascript:pwned(3)">x</a> ' +
      '**<b onclick="pwned(4)">bold</b>** &lt;i&gt; &amp; <svg onload="pwned(5)"></svg> `<iframe src=//evil.example>`';
    const message = await bubble(el, hostile);
    await new Promise((r) => setTimeout(r, 100));
    // The paragraph, the bold and the code of the subset; nothing of the model's own tags.
    expect(tags(message), 'only the subset’s own elements').to.deep.equal(['span', 'strong', 'code']);
    expect(message.querySelector('strong')!.textContent).to.equal('<b onclick="pwned(4)">bold</b>');
    expect(message.textContent).to.contain('<img src=x onerror="pwned(1)">');
    expect(message.textContent, 'entities are not decoded').to.contain('&lt;i&gt; &amp;');
    expect(fired).to.deep.equal([]);
  });

  it('links: only http(s) to a link-origins origin, new tab, noopener noreferrer; anything else is its text', async () => {
    const el = await voiceFixture({ transcript: '', 'link-origins': 'https://shop.example https://help.example/faq' });
    const message = await bubble(
      el,
      [
        '[order](https://shop.example/orders/7)',
        '[help](https://help.example/a?b=1#c)',
        '[evil](https://evil.example/login)',
        '[js](javascript:alert(1))',
        '[data](data:text/html,hi)',
        '[relative](/account)',
        '[protocol-relative](//shop.example/x)',
        '[creds](https://user:pw@shop.example/)',
        '[http](http://shop.example/)',
      ].join(' '),
    );
    const links = [...message.querySelectorAll('a')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).to.deep.equal([
      ['order', 'https://shop.example/orders/7'],
      ['help', 'https://help.example/a?b=1#c'],
    ]);
    for (const a of links) {
      expect(a.target).to.equal('_blank');
      expect(a.rel).to.equal('noopener noreferrer');
    }
    for (const word of ['evil', 'js', 'data', 'relative', 'protocol-relative', 'creds', 'http'])
      expect(message.textContent).to.contain(word);
    // A URL with parentheses is no link form at all: it shows as typed, text like the rest.
    expect(message.querySelector('a[href^="javascript"], a[href^="data"]')).to.equal(null);
  });

  it('without link-origins no link is clickable', async () => {
    const el = await voiceFixture({ transcript: '' });
    const message = await bubble(el, 'See [our page](https://shop.example/).');
    expect(message.querySelectorAll('a')).to.have.length(0);
    expect(message.textContent).to.contain('See our page.');
  });

  it('streaming: a marker not yet closed shows as typed, then becomes bold; odd and nested markers stay text', async () => {
    const el = await voiceFixture({ transcript: '' });
    say(el, 'This is **impor', false);
    await el.updateComplete;
    const message = () => el.shadowRoot!.querySelector<HTMLElement>('[part~="assistant"]')!;
    expect(message().querySelectorAll('strong')).to.have.length(0);
    expect(message().textContent).to.contain('**impor');
    say(el, 'This is **important**.', true);
    await el.updateComplete;
    expect(message().querySelector('strong')!.textContent).to.equal('important');
    const odd = await bubble(el, '2 * 3 * 4 = 24, a_b_c, ***, **, [no link], `');
    expect(tags(odd), 'a paragraph, nothing in it').to.deep.equal(['span']);
    expect(odd.textContent).to.contain('2 * 3 * 4 = 24, a_b_c, ***, **, [no link], `');
  });

  it('a long answer (20 kB of markdown) renders without hanging', async () => {
    const el = await voiceFixture({ transcript: '' });
    const chunk = 'Some **bold** and *em* and `code` and [x](https://a.example) — ';
    const long = Array.from({ length: Math.ceil(20_000 / chunk.length) }, () => chunk).join('') + '**';
    const started = performance.now();
    const message = await bubble(el, long);
    console.log(`[markdown] ${long.length} characters rendered in ${Math.round(performance.now() - started)} ms`);
    expect(message.querySelectorAll('strong').length).to.be.above(300);
  });

  it('user bubbles are shown as said or typed, without markdown', async () => {
    const el = await voiceFixture({ transcript: '' });
    el.session.dispatchEvent(
      new CustomEvent('realtime-transcript', {
        detail: { role: 'user', itemId: 'u1', text: '**not bold**', delta: '', final: true },
      }),
    );
    await el.updateComplete;
    const user = part(el, 'user')!;
    expect(user.querySelectorAll('strong')).to.have.length(0);
    expect(user.textContent).to.contain('**not bold**');
  });
});
