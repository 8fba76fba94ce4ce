// The attention sounds: one <audio> element per kind, playing the WAV files in renderer/sounds/ (synthesised by
// scripts/make-sounds.ts). Effects decide when; this only plays, at the volume the agent chose.
import type { AttentionKind } from '../../common/bridge';
import message from '../sounds/message.wav';
import newChat from '../sounds/new-chat.wav';
import transfer from '../sounds/transfer.wav';

export const soundFiles: Readonly<Record<AttentionKind, string>> = {
  'new-chat': newChat,
  'transfer-offer': transfer,
  message,
};

export interface SoundPlayer {
  /** plays the sound for `kind` from its start; volume 0 … 1 */
  play(kind: AttentionKind, volume: number): void;
}

/**
 * Audio elements in the page (hidden, no controls), created once and loaded ahead, so the first offer rings at
 * once. A refused play() (the browser wants a click first) is silent: the offer still shows on screen.
 */
export function createAudioPlayer(doc: Document): SoundPlayer {
  const elements = new Map<AttentionKind, HTMLAudioElement>();
  const element = (kind: AttentionKind) => {
    let audio = elements.get(kind);
    if (!audio) {
      audio = doc.createElement('audio');
      audio.preload = 'auto';
      audio.src = soundFiles[kind];
      audio.dataset.sound = kind;
      doc.body.append(audio);
      elements.set(kind, audio);
    }
    return audio;
  };
  for (const kind of Object.keys(soundFiles) as AttentionKind[]) element(kind);
  return {
    play(kind, volume) {
      const audio = element(kind);
      audio.volume = Math.min(1, Math.max(0, volume));
      audio.currentTime = 0;
      void Promise.resolve(audio.play()).catch(() => {
        // autoplay refused or the file could not be decoded: the visual cues remain
      });
    },
  };
}
