/**
 * The visualizer part (`realtime-voice.visualizer.js`), asked for by `visualizer="orb"` or `"bars"`.
 * Work in progress: it draws nothing yet (the meters part already measures the levels it will draw).
 */
import type { PartFactory } from './kit.js';

const visualizer: PartFactory = () => ({});
export default visualizer;
