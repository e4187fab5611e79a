/**
 * Which engine runs the tests, and the mocha hook that skips a test listed as not applicable to
 * it (test/not-applicable.ts), logging the reason so no skip is silent.
 */
import { NO_WEBRTC, notApplicable, runsWithoutWebRtc, type Engine } from '../not-applicable.js';

const ua = navigator.userAgent;
export const engine: Engine = /Firefox\//.test(ua) ? 'firefox' : /Chrome\//.test(ua) ? 'chromium' : 'webkit';
/** Read once, before any test takes RTCPeerConnection away to fake a browser without it. */
export const hasWebRtc = typeof RTCPeerConnection === 'function';

beforeEach(function () {
  if (engine === 'chromium') return;
  const title = this.currentTest?.fullTitle() ?? '';
  const reason = notApplicable[engine][title] ?? (!hasWebRtc && !runsWithoutWebRtc.has(title) ? NO_WEBRTC : undefined);
  if (!reason) return;
  console.log(`not applicable in ${engine}: "${title}": ${reason}`);
  this.skip();
});
