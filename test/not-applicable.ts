/**
 * Tests that cannot run in an engine here, each with the reason. The harness skips them in that
 * engine and says why (test/support/engines.ts); `npm test` prints this list, and a Node test
 * checks every title still names a test. Keyed by the test's full title (describe + it).
 */
export type Engine = 'chromium' | 'firefox' | 'webkit';

const NO_PERMISSION_DENIAL =
  "Firefox's WebDriver BiDi cannot deny the microphone at run time (permissions.setPermission has no 'microphone'), and the prefs that make its fake microphone testable grant it for the whole run";
const SAME_PROCESS_PEER =
  "the in-page 'dead' peer is closed in the same Firefox, whose transport still completes ICE and often DTLS with it and then closes the channel (seen: ICE connected at 40 ms, channel closed at 60 ms, failed at 30 s): no dead network path can be made in the page";
const NO_TRACK_END =
  "Firefox delivers a page's own `ended` event on a microphone track to its onended handler only, not to listeners (the element's), and nothing here can unplug Firefox's fake microphone";
const NO_MEDIA_EMULATION =
  'Firefox over WebDriver BiDi cannot emulate CSS media features (prefers-color-scheme, prefers-reduced-motion): puppeteer needs CDP for it, and prefs apply only at launch';

export const notApplicable: Record<Exclude<Engine, 'chromium'>, Record<string, string>> = {
  firefox: {
    'faults: each ends in one specific error, visible, announced, nothing live, and start() works again network path ICE failure within the deadline (the answer names a peer that is gone) → ice-failed':
      SAME_PROCESS_PEER,
    'faults: each ends in one specific error, visible, announced, nothing live, and start() works again network path ICE failure reported by the browser (connectionState failed) → ice-failed':
      SAME_PROCESS_PEER,
    'failures: specific errors, visible, announced, nothing leaked, recoverable calls endpoint (SDP exchange) an answer whose peer is unreachable → ice-failed':
      SAME_PROCESS_PEER,
    'layouts, theming, keyboard and accessibility dark mode follows prefers-color-scheme; custom properties still win':
      NO_MEDIA_EMULATION,
    'level meters under prefers-reduced-motion the meters update a few times a second instead of about 15':
      NO_MEDIA_EMULATION,
    'launcher card, slots, theme and the thinking state theme="auto": inline on the page’s color-scheme, the floating panel on the user’s preference':
      NO_MEDIA_EMULATION,
    'launcher card, slots, theme and the thinking state forced colors: the state dot and the pressed toggle keep system colors':
      NO_MEDIA_EMULATION,
    'faults: each ends in one specific error, visible, announced, nothing live, and start() works again browser and microphone microphone permission denied → microphone-denied':
      NO_PERMISSION_DENIAL,
    'faults: each ends in one specific error, visible, announced, nothing live, and start() works again network path microphone unplugged while connecting (track ended) → microphone-not-found':
      NO_TRACK_END,
    'faults: each ends in one specific error, visible, announced, nothing live, and start() works again during a call microphone unplugged mid-call, and no other microphone left (track ended) → microphone-not-found':
      NO_TRACK_END,
    'faults: each ends in one specific error, visible, announced, nothing live, and start() works again during a call microphone permission revoked mid-call (the browser ends the track; no other microphone may be opened) → microphone-denied':
      NO_PERMISSION_DENIAL,
    'devices and audio processing a microphone unplugged mid-call falls back to the default one; the call goes on':
      NO_TRACK_END,
    'failures: specific errors, visible, announced, nothing leaked, recoverable browser and configuration microphone permission denied → microphone-denied':
      NO_PERMISSION_DENIAL,
  },
  webkit: {
    'layouts, theming, keyboard and accessibility dark mode follows prefers-color-scheme; custom properties still win':
      'WebKitWebDriver cannot emulate CSS media features (no emulation command in WebDriver classic)',
  },
};

/**
 * The tests that need no peer connection. Debian's WebKitGTK is built without WebRTC
 * (RTCPeerConnection is undefined), so there every other test is not applicable, for that reason:
 * the element then fails each start() with unsupported-browser before anything else, as it should.
 */
export const NO_WEBRTC =
  'needs a peer connection: this WebKitGTK is built without WebRTC (RTCPeerConnection undefined)';
export const runsWithoutWebRtc = new Set([
  'failures: specific errors, visible, announced, nothing leaked, recoverable browser and configuration a browser without WebRTC: unsupported-browser before any connecting state, nothing asked for, visible and announced',
  'failures: specific errors, visible, announced, nothing leaked, recoverable during a call send() with no call or a malformed event reports a non-fatal error and returns false',
  'languages strings replace single words over the language; an unknown language is English',
  'layouts, theming, keyboard and accessibility floating, right to left: launcher and panel share the inline-end corner (the left)',
  'layouts, theming, keyboard and accessibility floating: a corner launcher opens a dialog panel; Escape closes it and gives focus back',
  'level meters without the meters attribute no AudioContext is made and no level events fire',
  'default UI: understandable, keyboard operable, accessible, themeable passes the axe accessibility audit when idle, connected and in error',
  'default UI: understandable, keyboard operable, accessible, themeable is themed through custom properties and parts; :host sets only display',
  'default UI: understandable, keyboard operable, accessible, themeable page CSS styles the element by state with :state(), in every engine that has custom states',
  'default UI: understandable, keyboard operable, accessible, themeable replaces UI words through the strings property',
  'core and parts: each optional part is fetched only when used, never delays the click parts-url loads the built parts from that base URL (here dist/, as a CDN folder would hold them)',
]);

// The visualizer part (test/browser/visualizer.test.ts): reduced motion needs media emulation; four tests need no call.
notApplicable.firefox[
  'visualizer under prefers-reduced-motion: no frame loop, a still picture, drawn again when the state changes'
] = NO_MEDIA_EMULATION;
notApplicable.firefox["visualizer idle under prefers-reduced-motion too, the orb takes the site's own theme switch"] =
  NO_MEDIA_EMULATION;
for (const title of [
  'visualizer no visualizer attribute, or "none": its file is not fetched and nothing is drawn; "orb" fetches it',
  'visualizer idle (no call): a still orb on a decorative canvas part, and no frame loop',
  'visualizer a custom property sets the drawn colour',
  "visualizer idle, the orb takes the site's own theme switch (a class on <html>) with no state change",
])
  runsWithoutWebRtc.add(title);

// Theme and bidirectional text (test/browser/phone-and-bidi.test.ts) need no call. The phone tests need a phone-sized
// viewport, which @web/test-runner-commands' setViewport cannot give over WebDriver.
for (const title of [
  'launcher card, slots, theme and the thinking state theme="dark" and theme="light" decide the palette whatever the page and the preference say',
  'bidirectional text: each line reads in its own direction in an Arabic widget, an English bubble reads left to right and a cut-off one ends with its ellipsis on the right',
  'bidirectional text: each line reads in its own direction Arabic with a number and a Latin word stays in order, its ellipsis on the left',
  'bidirectional text: each line reads in its own direction an English page quoting Arabic: the Arabic bubble and status read right to left, the English ones left to right',
  'bidirectional text: each line reads in its own direction the text box types in the direction of what is typed',
  'bidirectional text: each line reads in its own direction an empty text box shows its placeholder in the widget’s direction, then follows what is typed',
])
  runsWithoutWebRtc.add(title);
const PHONES = 'phones: the floating panel as a bottom sheet, finger-sized targets, focus kept in';
for (const test of [
  'at 390 × 844 the open panel is a bottom sheet across the screen: nothing runs off, no sideways scroll, 44 px targets',
  'the launcher moves focus into the sheet, Tab and Shift+Tab stay inside, the close button and Escape give it back',
  'the sheet rises above the on-screen keyboard (the visual viewport shrinks)',
  'on a wide screen the panel is not modal: Tab goes on from it to the launcher',
])
  notApplicable.webkit[`${PHONES} ${test}`] =
    "@web/test-runner-commands' setViewport has no WebDriver implementation: no phone-sized viewport in WebKit here";

// Conversations that continue (test/browser/history.test.ts): what needs no call.
for (const test of [
  'a conversation idle past history-minutes is forgotten, not shown',
  'a stored value that is not a kept conversation is ignored',
])
  runsWithoutWebRtc.add(`conversations that continue ${test}`);
runsWithoutWebRtc.add(
  'visualizer in a worker (OffscreenCanvas) idle: the still orb is drawn in a worker from this same file, and the page runs no frame loop',
);

// The markdown subset (test/browser/markdown.test.ts) is fed through transcript events: no call.
for (const test of [
  'paragraphs, bold, italics, lists and inline code',
  'HTML from the model stays text: no element, no handler, no script runs',
  'links: only http(s) to a link-origins origin, new tab, noopener noreferrer; anything else is its text',
  'without link-origins no link is clickable',
  'streaming: a marker not yet closed shows as typed, then becomes bold; odd and nested markers stay text',
  'a long answer (20 kB of markdown) renders without hanging',
  'user bubbles are shown as said or typed, without markdown',
])
  runsWithoutWebRtc.add(`the assistant’s markdown, safely ${test}`);
