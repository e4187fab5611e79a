/**
 * The printed table: each figure beside its baseline from the same run, the
 * ratio, and the issue's goal where it has one (Markdown, so the README's
 * Performance section can show it as printed).
 */
import type { Results } from './results.ts';

type Row = [what: string, widget: string, baseline: string, ratio: string, goal: string];

const kb = (bytes: unknown) => (typeof bytes === 'number' ? `${(bytes / 1024).toFixed(1)} KB` : '–');
const ms = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? `${Math.round(value)} ms` : '–');
const num = (value: unknown) => (value === undefined ? '–' : String(value));
const mb = (bytes: unknown, digits = 1) =>
  typeof bytes === 'number' ? `${(bytes / 2 ** 20).toFixed(digits)} MB` : '–';
const pair = (r: Results, prefix: string) => `${ms(r[`${prefix}_median`])} / ${ms(r[`${prefix}_p90`])}`;

function verdict(value: unknown, ok: (v: number) => boolean, goal: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return goal;
  return `${goal} ${ok(value) ? '✓' : '✗'}`;
}

export function summaryRows(r: Results): Row[] {
  const rows: Row[] = [];
  if (r.bundle_gzip_bytes !== undefined) {
    rows.push([
      'drop-in bundle incl. Lit, gzip / brotli',
      `${kb(r.bundle_gzip_bytes)} / ${kb(r.bundle_brotli_bytes)}`,
      `minimal Lit element ${kb(r.minimal_lit_element_gzip_bytes)}`,
      `×${r.bundle_vs_minimal_lit_ratio}`,
      '',
    ]);
    if (r.core_gzip_bytes !== undefined)
      rows.push([
        'core (the file a page loads first) / every part beside it, gzip',
        `${kb(r.core_gzip_bytes)} / ${kb(r.parts_gzip_bytes_total)}`,
        `one-file build ${kb(r.all_in_one_gzip_bytes)}`,
        '',
        `core ≤ 12.0 KB ${Number(r.core_gzip_bytes) <= 12288 ? '✓' : '✗'}, core + parts ≤ 20.0 KB ${Number(r.core_and_parts_gzip_bytes) <= 20480 ? '✓' : '✗'}`,
      ]);
    rows.push([
      'ESM build without Lit, minified, gzip',
      kb(r.esm_gzip_bytes),
      'ElevenLabs ≈ 191 KB, OpenAI agents-realtime ≈ 353 KB, Vapi ≈ 184 KB (published)',
      '',
      '',
    ]);
  }
  if (r.connect_dc_open_ms_widget_median !== undefined) {
    rows.push([
      'connect: start() → data channel open, median / p90',
      pair(r, 'connect_dc_open_ms_widget'),
      `bare client ${pair(r, 'connect_dc_open_ms_bare')}`,
      num(r.connect_dc_open_widget_vs_bare_ratio),
      verdict(r.connect_dc_open_widget_vs_bare_ratio, (v) => v <= 1.05, '≤ 1.05'),
    ]);
    rows.push([
      'connect: start() → session.created, median / p90',
      pair(r, 'connect_session_created_ms_widget'),
      `bare client ${pair(r, 'connect_session_created_ms_bare')}`,
      num(r.connect_session_created_widget_vs_bare_ratio),
      verdict(r.connect_session_created_widget_vs_bare_ratio, (v) => v <= 1.05, '≤ 1.05'),
    ]);
    if (r.connect_slow_token_dc_open_ms_widget_cold_median !== undefined) {
      rows.push([
        `connect with a ${r.connect_slow_token_delay_ms} ms token service: click → channel open, pointer on the button ${r.connect_hover_before_click_ms} ms before (token fetched ahead)`,
        pair(r, 'connect_slow_token_dc_open_ms_widget_warm'),
        `cold click ${pair(r, 'connect_slow_token_dc_open_ms_widget_cold')}`,
        num(r.connect_slow_token_warm_vs_cold_ratio),
        '',
      ]);
    }
    if (r.connect_parts_cold_dc_open_ms_median !== undefined) {
      rows.push([
        `connect with every part on (transcript, text input, meters, devices, floating open): start() right after the load event, parts cold (${r.connect_parts_cold_pending_at_click_mean} of 4 still arriving) → channel open`,
        pair(r, 'connect_parts_cold_dc_open_ms'),
        `parts warm (after updateComplete) ${pair(r, 'connect_parts_warm_dc_open_ms')}`,
        num(r.connect_parts_cold_vs_warm_ratio),
        '',
      ]);
    }
    rows.push([
      'connect: bare client that waits for full ICE gathering',
      '',
      pair(r, 'connect_dc_open_ms_bare_wait_gather'),
      '',
      '',
    ]);
    rows.push([
      'connect: ICE gathering in the browser (not waited for) / SDP exchange incl. the emulator',
      `${ms(r.connect_ice_gathering_ms_widget_median)} / ${ms(r.connect_sdp_exchange_ms_widget_median)}`,
      `bare ${ms(r.connect_ice_gathering_ms_bare_median)} / ${ms(r.connect_sdp_exchange_ms_bare_median)}`,
      '',
      '',
    ]);
  }
  if (r.turn_first_audio_ms_widget_median !== undefined) {
    rows.push([
      'turn: end of speech → first answer audio, median / p90',
      pair(r, 'turn_first_audio_ms_widget'),
      `bare client ${pair(r, 'turn_first_audio_ms_bare')}`,
      num(r.turn_widget_vs_bare_ratio),
      verdict(r.turn_widget_vs_bare_ratio, (v) => v <= 1.05, '≤ 1.05'),
    ]);
    rows.push([
      'turn parts: VAD (end of speech → speech_stopped) / emulator synthesis / playout, medians',
      `${ms(r.turn_vad_ms_widget_median)} / ${ms(r.turn_emulator_synthesis_ms_widget_median)} / ${ms(r.turn_playout_ms_widget_median)}`,
      `bare ${ms(r.turn_vad_ms_bare_median)} / ${ms(r.turn_emulator_synthesis_ms_bare_median)} / ${ms(r.turn_playout_ms_bare_median)}`,
      '',
      '',
    ]);
    rows.push([
      "turn without the emulator's synthesis (VAD + playout), median / p90",
      pair(r, 'turn_without_synthesis_ms_widget'),
      `bare client ${pair(r, 'turn_without_synthesis_ms_bare')}`,
      num(r.turn_without_synthesis_widget_vs_bare_ratio),
      '',
    ]);
    if (r.turn_playout_ms_widget_plain_median !== undefined) {
      rows.push([
        'turn, widget without meters: first audio median / playout median / without synthesis median',
        `${ms(r.turn_first_audio_ms_widget_plain_median)} / ${ms(r.turn_playout_ms_widget_plain_median)} / ${ms(r.turn_without_synthesis_ms_widget_plain_median)}`,
        `bare ${ms(r.turn_first_audio_ms_bare_median)} / ${ms(r.turn_playout_ms_bare_median)} / ${ms(r.turn_without_synthesis_ms_bare_median)}`,
        num(r.turn_widget_plain_vs_bare_ratio),
        '',
      ]);
    }
    rows.push([
      `${r.conversation_seconds} s conversation: long tasks / main thread busy / all Chromium CPU`,
      `${r.conversation_long_tasks_widget} / ${r.conversation_main_thread_busy_pct_widget} % / ${r.conversation_browser_cpu_pct_widget} %`,
      `bare ${r.conversation_long_tasks_bare} / ${r.conversation_main_thread_busy_pct_bare} % / ${r.conversation_browser_cpu_pct_bare} %`,
      `CPU ${r.conversation_browser_cpu_widget_vs_bare_ratio}`,
      '',
    ]);
  }
  if (r.visualizer_main_thread_busy_pct !== undefined) {
    rows.push([
      `visualizer in a conversation (meters on in each): main thread busy, orb / bars minus none, ${r.visualizer_fps} / ${r.visualizer_bars_fps} frames a second`,
      `${r.visualizer_main_thread_busy_pct} % / ${r.visualizer_bars_main_thread_busy_pct} %`,
      `none ${r.visualizer_none_main_thread_busy_pct} %; an empty 60 fps loop alone +${r.visualizer_empty_loop_main_thread_busy_pct} %`,
      '',
      verdict(r.visualizer_main_thread_busy_pct, (v) => v < 1, '< 1 % of a core'),
    ]);
  }
  if (r.leak_cycles !== undefined) {
    // Workers: keys of runs before the meters drew in one are missing, counted as none.
    const leaked =
      Number(r.leaked_peer_connections) +
      Number(r.leaked_tracks) +
      Number(r.leaked_audio_contexts) +
      Number(r.leaked_workers ?? 0);
    rows.push([
      `${r.leak_cycles} start/stop cycles: leaked peer connections / tracks / audio contexts / drawing workers (of created)`,
      `${r.leaked_peer_connections} / ${r.leaked_tracks} / ${r.leaked_audio_contexts} / ${r.leaked_workers ?? '–'} (of ${r.leak_workers_created ?? '–'})`,
      `bare ${r.leaked_peer_connections_bare} / ${r.leaked_tracks_bare} / –`,
      '',
      verdict(leaked, (v) => v === 0, '0'),
    ]);
    rows.push([
      `${r.leak_cycles} start/stop cycles: JS heap growth (after GC)${r.heap_growth_bytes_widget_plain === undefined ? '' : ', with meters / without'}`,
      r.heap_growth_bytes_widget_plain === undefined
        ? kb(r.heap_growth_bytes)
        : `${kb(r.heap_growth_bytes)} / ${kb(r.heap_growth_bytes_widget_plain)}`,
      `bare ${kb(r.heap_growth_bytes_bare)}`,
      '',
      '',
    ]);
    if (r.heap_growth_bytes_compiled_code !== undefined)
      rows.push([
        // V8's optimized code for functions that reach their threshold call after call: bounded (bench/heap-snapshot.ts).
        '… of that growth, V8 compiled code (with meters): the rest, the element and the bench records',
        `${kb(r.heap_growth_bytes_compiled_code)}: rest ${kb((r.heap_growth_bytes as number) - (r.heap_growth_bytes_compiled_code as number))}`,
        `bare ${kb(r.heap_growth_bytes_compiled_code_bare)}: rest ${kb((r.heap_growth_bytes_bare as number) - (r.heap_growth_bytes_compiled_code_bare as number))}`,
        '',
        '',
      ]);
    rows.push([
      `${r.multi_widgets} widgets on a page: all started at once → all connected`,
      ms(r.multi_all_connected_ms),
      `one alone ${ms(r.multi_one_alone_connected_ms)}`,
      num(r.multi_all_vs_one_ratio),
      '',
    ]);
    rows.push([
      `${r.multi_widgets} widgets: idle heap per widget / leaked after stop (pcs, tracks, contexts)`,
      `${kb(r.multi_idle_heap_bytes_per_widget)} / ${r.multi_leaked_peer_connections}, ${r.multi_leaked_tracks}, ${r.multi_leaked_audio_contexts}`,
      '',
      '',
      '',
    ]);
  }
  if (r.firefox_connect_runs !== undefined) {
    rows.push([
      'Firefox ESR: connect, start() → data channel open, median / p90',
      `${ms(r.firefox_connect_dc_open_ms_widget_median)} / ${ms(r.firefox_connect_dc_open_ms_widget_p90)}`,
      `bare client ${ms(r.firefox_connect_dc_open_ms_bare_median)} / ${ms(r.firefox_connect_dc_open_ms_bare_p90)}`,
      num(r.firefox_connect_dc_open_widget_vs_bare_ratio),
      verdict(r.firefox_connect_dc_open_widget_vs_bare_ratio, (v) => v <= 1.05, '≤ 1.05'),
    ]);
    const leaked =
      Number(r.firefox_leaked_peer_connections) +
      Number(r.firefox_leaked_tracks) +
      Number(r.firefox_leaked_audio_contexts) +
      Number(r.firefox_leaked_workers ?? 0);
    rows.push([
      `Firefox ESR: ${r.firefox_leak_cycles} start/stop cycles: leaked peer connections / tracks / audio contexts / drawing workers (of created; no heap figure over BiDi)`,
      `${r.firefox_leaked_peer_connections} / ${r.firefox_leaked_tracks} / ${r.firefox_leaked_audio_contexts} / ${r.firefox_leaked_workers ?? '–'} (of ${r.firefox_leak_workers_created ?? '–'})`,
      `bare ${r.firefox_leaked_peer_connections_bare} / ${r.firefox_leaked_tracks_bare} / –`,
      '',
      verdict(leaked, (v) => v === 0, '0'),
    ]);
  }
  if (r.impair_loss5_turn_first_audio_ms_widget_median !== undefined) {
    for (const loss of [0, 5, 15]) {
      const k = `impair_loss${loss}`;
      rows.push([
        `bad network, ${loss} % loss + 150 ± 50 ms jitter: first answer audio median / voice concealed`,
        `${ms(r[`${k}_turn_first_audio_ms_widget_median`])} / ${num(r[`${k}_concealed_pct_widget`])} %`,
        `bare ${ms(r[`${k}_turn_first_audio_ms_bare_median`])} / ${num(r[`${k}_concealed_pct_bare`])} %`,
        '',
        '',
      ]);
    }
    rows.push([
      'bad network: 3 s blackout → same call back, voice again after / 20 s → dead link seen, new call after, turn given back',
      `${r.impair_blackout3s_recovered ? 'yes' : 'no'}, ${ms(r.impair_blackout3s_voice_back_ms)} / ${ms(r.dead_link_detect_ms)}, ${ms(r.impair_blackout20s_reconnect_ms)}, ${r.impair_blackout20s_reconnected_with_context ? 'yes' : 'no'}`,
      '',
      '',
      '',
    ]);
  }
  if (r.soak_minutes !== undefined) {
    rows.push([
      `soak: one call of ${r.soak_minutes} min with meters: heap slope / main thread busy / DOM nodes slope`,
      `${num(r.soak_heap_slope_bytes_per_min)} B/min / ${num(r.soak_main_thread_busy_pct_widget)} % / ${num(r.soak_dom_nodes_slope_per_min)} per min`,
      `bare (${num(r.soak_bare_minutes)} min) ${num(r.soak_heap_slope_bytes_per_min_bare)} B/min / ${num(r.soak_main_thread_busy_pct_bare)} %`,
      '',
      '',
    ]);
  }
  if (r.emulator_cycles !== undefined) {
    rows.push([
      `emulator: ${r.emulator_cycles} start/stop cycles (${r.emulator_cycles_mid_answer} closed mid-answer) + ${r.emulator_concurrent_rounds} × ${r.emulator_concurrent_calls} concurrent calls: native crashes`,
      num(r.emulator_native_crashes),
      `cycle ${ms(r.emulator_cycle_ms_median)} median, ${r.emulator_concurrent_connected} of ${r.emulator_concurrent_calls} connected at once`,
      '',
      verdict(r.emulator_native_crashes, (v) => v === 0, '0'),
    ]);
  }
  if (r.token_rps !== undefined) {
    rows.push([
      `/token, ${r.server_connections} connections, ${r.token_requests} requests: req/s, p50 / p99`,
      `${r.token_rps}, ${ms(r.token_p50_ms)} / ${ms(r.token_p99_ms)}`,
      `stand-in direct ${r.upstream_direct_rps}, ${ms(r.upstream_direct_p50_ms)} / ${ms(r.upstream_direct_p99_ms)}`,
      num(r.token_vs_direct_rps_ratio),
      verdict(r.token_vs_direct_rps_ratio, (v) => v >= 0.5, '≥ 0.5'),
    ]);
    if (r.token_rps_auth_jwt !== undefined) {
      rows.push([
        '/token with AUTH_MODE=jwt (RS256 verified on every request) vs none, same run: req/s',
        `${r.token_rps_auth_jwt}, p99 ${ms(r.token_p99_ms_auth_jwt)}`,
        `none ${r.token_rps_auth_none}`,
        num(r.token_auth_jwt_vs_none_rps_ratio),
        '',
      ]);
    }
    rows.push([
      '/token vs the smallest token route (node:http + fetch, no checks), median of rounds in turn',
      `${r.token_rps} req/s`,
      `minimal proxy ${r.minimal_proxy_rps} req/s, p99 ${ms(r.minimal_proxy_p99_ms)}`,
      num(r.token_vs_minimal_proxy_rps_ratio),
      verdict(r.token_vs_minimal_proxy_rps_ratio, (v) => v >= 0.8, '≥ 0.8'),
    ]);
    rows.push([
      `/connect, ${r.connect_requests} requests: req/s, p50 / p99`,
      `${r.connect_rps}, ${ms(r.connect_p50_ms)} / ${ms(r.connect_p99_ms)}`,
      `stand-in calls direct ${r.upstream_direct_calls_rps}, p99 ${ms(r.upstream_direct_calls_p99_ms)}`,
      num(r.connect_vs_direct_calls_rps_ratio),
      '',
    ]);
    rows.push([
      'server RSS growth over 10,000 /token requests (after GC) / over 10,000 more / of it V8 heap reserved',
      `${mb(r.server_rss_growth_bytes)} / ${mb(r.server_rss_growth_second_10k_bytes)} / ${mb(r.server_heap_reserved_growth_bytes)}`,
      `RSS before ${mb(r.server_rss_before_bytes, 0)}`,
      '',
      '',
    ]);
  }
  return rows;
}

export function summaryMarkdown(r: Results): string {
  const rows = summaryRows(r);
  const lines = ['| what | realtime-voice | baseline (same run) | ratio | goal |', '| --- | --- | --- | --- | --- |'];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}
