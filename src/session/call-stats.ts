/**
 * The call's quality in one shape, whichever engine reports it. getStats() differs between engines:
 * Firefox's remote-inbound-rtp has no `roundTripTime` (only `totalRoundTripTime` over
 * `roundTripTimeMeasurements`), its candidate pair may read `currentRoundTripTime: 0` on the
 * answering side, and older engines have no transport report naming the selected pair (the pair
 * says `selected: true` instead). Absent figures are left out, never reported as 0.
 */
export interface RealtimeCallStats {
  /** Seconds, from the selected candidate pair, else from the RTCP reports. */
  roundTripTime?: number;
  /** Seconds: the inbound (assistant's) audio's interarrival jitter. */
  jitter?: number;
  packetsReceived: number;
  packetsLost: number;
  /** Samples of the assistant's voice played, and those invented to hide losses. */
  totalSamplesReceived: number;
  concealedSamples: number;
  bytesSent: number;
  bytesReceived: number;
  /** host, srflx, prflx or relay: how the call's path was found (relay: through TURN). */
  candidateType?: string;
}

type Report = Record<string, unknown> & { type: string; id: string };

export async function readCallStats(pc: RTCPeerConnection): Promise<RealtimeCallStats> {
  const reports: Report[] = [];
  (await pc.getStats()).forEach((report: Report) => reports.push(report));
  const byId = new Map(reports.map((r) => [r.id, r]));
  const of = (type: string) => reports.filter((r) => r.type === type && r.kind !== 'video');
  const sum = (list: Report[], key: string) => list.reduce((total, r) => total + (Number(r[key]) || 0), 0);

  const selectedId = of('transport')
    .map((t) => t.selectedCandidatePairId)
    .find(Boolean) as string | undefined;
  const pair =
    (selectedId && byId.get(selectedId)) ||
    of('candidate-pair').find((p) => p.selected || (p.nominated && p.state === 'succeeded'));
  const inbound = of('inbound-rtp');
  const remote = of('remote-inbound-rtp');
  const measured = sum(remote, 'roundTripTimeMeasurements');
  const rtt =
    Number(pair?.currentRoundTripTime) ||
    Number(remote[0]?.roundTripTime) ||
    (measured ? sum(remote, 'totalRoundTripTime') / measured : undefined);
  const jitter = inbound[0]?.jitter;
  const local = pair && byId.get(pair.localCandidateId as string);

  return {
    ...(rtt !== undefined && { roundTripTime: rtt }),
    ...(typeof jitter === 'number' && { jitter }),
    packetsReceived: sum(inbound, 'packetsReceived'),
    packetsLost: sum(inbound, 'packetsLost'),
    totalSamplesReceived: sum(inbound, 'totalSamplesReceived'),
    concealedSamples: sum(inbound, 'concealedSamples'),
    bytesSent: sum(of('outbound-rtp'), 'bytesSent'),
    bytesReceived: sum(inbound, 'bytesReceived'),
    ...(local?.candidateType ? { candidateType: String(local.candidateType) } : {}),
  };
}
