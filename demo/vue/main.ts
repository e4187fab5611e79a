// Vue 3 page: the element is a native custom element to Vue (isCustomElement); events bind
// with @realtime-… and properties with .prop. The template is compiled in the browser here,
// so the example needs no Vue build plugin; in a .vue file it reads the same.
import { createApp, ref } from 'vue/dist/vue.esm-bundler.js';
import '../../src/index.ts';
import type { RealtimeVoice, TranscriptDetail } from '../../src/index.ts';

const app = createApp({
  setup() {
    const voice = ref<RealtimeVoice | null>(null);
    const state = ref('idle');
    const lines = ref<Array<{ id: string; who: string; text: string }>>([]);
    const message = ref('');
    const onTranscript = (e: CustomEvent<TranscriptDetail>) => {
      const { itemId, role, text } = e.detail;
      lines.value = [...lines.value.filter((l) => l.id !== itemId), { id: itemId, who: role, text }];
    };
    const send = () => {
      voice.value?.sendText(message.value);
      message.value = '';
    };
    return { voice, state, lines, message, onTranscript, send };
  },
  template: `
    <h1>&lt;realtime-voice&gt; in Vue</h1>
    <section class="card">
      <realtime-voice
        ref="voice"
        id="vue-voice"
        token-url="/token"
        voice="sage"
        instructions="You are the Vue page's assistant."
        meters
        @realtime-state="state = $event.detail.state"
        @realtime-transcript="onTranscript"
      ></realtime-voice>
      <p>Vue sees the state: <strong id="vue-state">{{ state }}</strong></p>
      <form @submit.prevent="send">
        <input id="message" v-model="message" placeholder="Type a message" />
        <button type="submit">Send</button>
      </form>
      <ol id="vue-transcript">
        <li v-for="line in lines" :key="line.id" :data-role="line.who">{{ line.who }}: {{ line.text }}</li>
      </ol>
    </section>`,
});
app.config.compilerOptions.isCustomElement = (tag: string) => tag === 'realtime-voice';
app.mount('#app');
