// Angular standalone component: CUSTOM_ELEMENTS_SCHEMA lets the template use <realtime-voice>;
// (realtime-…) binds its events, signals hold the state. Compiled just in time in the browser
// (@angular/compiler) so the example needs no Angular CLI; an Angular CLI app reads the same.
import '@angular/compiler';
import {
  CUSTOM_ELEMENTS_SCHEMA,
  Component,
  ElementRef,
  ViewChild,
  provideZonelessChangeDetection,
  signal,
} from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import '../../src/index.ts';
import type { RealtimeVoice, TranscriptDetail } from '../../src/index.ts';

@Component({
  selector: 'voice-demo',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <h1>&lt;realtime-voice&gt; in Angular</h1>
    <section class="card">
      <realtime-voice
        #voice
        id="ng-voice"
        token-url="/token"
        voice="verse"
        instructions="You are the Angular page's assistant."
        meters
        (realtime-state)="state.set($any($event).detail.state)"
        (realtime-transcript)="onTranscript($any($event))"
      ></realtime-voice>
      <p>Angular sees the state: <strong id="ng-state">{{ state() }}</strong></p>
      <form (submit)="send($event, message.value); message.value = ''">
        <input id="message" #message placeholder="Type a message" />
        <button type="submit">Send</button>
      </form>
      <ol id="ng-transcript">
        @for (line of lines(); track line.id) {
          <li [attr.data-role]="line.who">{{ line.who }}: {{ line.text }}</li>
        }
      </ol>
    </section>
  `,
})
class VoiceDemo {
  // A decorator query: signal queries (viewChild()) need the ahead-of-time compiler.
  @ViewChild('voice') voice!: ElementRef<RealtimeVoice>;
  readonly state = signal('idle');
  readonly lines = signal<Array<{ id: string; who: string; text: string }>>([]);

  onTranscript(event: CustomEvent<TranscriptDetail>): void {
    const { itemId, role, text } = event.detail;
    this.lines.update((all) => [...all.filter((l) => l.id !== itemId), { id: itemId, who: role, text }]);
  }

  send(event: Event, text: string): void {
    event.preventDefault();
    this.voice.nativeElement.sendText(text);
  }
}

void bootstrapApplication(VoiceDemo, { providers: [provideZonelessChangeDetection()] });
