// React 19 page: the @lit/react wrapper (typed camelCase event props) and the bare tag
// (React 19 passes `onrealtime-…` props to custom elements as event listeners).
import React, { useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { RealtimeVoice } from '../../src/index.ts';
import { RealtimeVoiceReact } from '../../src/react.ts';
import type {} from '../../src/jsx.ts'; // JSX types of the bare tag (realtime-voice/jsx)

function App() {
  const voice = useRef<RealtimeVoice>(null);
  const [state, setState] = useState('idle');
  const [lines, setLines] = useState<Array<{ id: string; who: string; text: string }>>([]);
  const [text, setText] = useState('');
  const [bareState, setBareState] = useState('idle');
  const [tokens, setTokens] = useState(0);

  return (
    <>
      <h1>&lt;realtime-voice&gt; in React</h1>
      <section className="card">
        <h2>With the wrapper (realtime-voice/react)</h2>
        <RealtimeVoiceReact
          ref={voice}
          id="wrapped"
          tokenUrl="/token"
          voice="coral"
          instructions="You are the React page's assistant."
          meters
          onRealtimeState={(e) => setState(e.detail.state)}
          onRealtimeUsage={(e) => setTokens(e.detail.conversation.totalTokens)}
          onRealtimeTranscript={(e) => {
            const { itemId, role, text: said } = e.detail;
            setLines((all) => [...all.filter((l) => l.id !== itemId), { id: itemId, who: role, text: said }]);
          }}
        />
        <p>
          React sees the state: <strong id="react-state">{state}</strong>; tokens so far:{' '}
          <strong id="react-tokens">{tokens}</strong>
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            voice.current?.sendText(text);
            setText('');
          }}
        >
          <input id="message" value={text} onChange={(e) => setText(e.target.value)} placeholder="Type a message" />
          <button type="submit">Send</button>
        </form>
        <ol id="react-transcript">
          {lines.map((l) => (
            <li key={l.id} data-role={l.who}>
              {l.who}: {l.text}
            </li>
          ))}
        </ol>
      </section>
      <section className="card">
        <h2>The bare tag</h2>
        <realtime-voice id="bare" token-url="/token" meters onrealtime-state={(e) => setBareState(e.detail.state)} />
        <p>
          React sees the state: <strong id="bare-state">{bareState}</strong>
        </p>
      </section>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
