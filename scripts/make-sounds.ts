// `tsx scripts/make-sounds.ts`: synthesises Baton's three attention sounds (a new chat, a transfer offered to you,
// a customer's new message) as small 16-bit mono WAV files in renderer/sounds/, so they are reproducible and
// carry no third-party licence. Each is a few soft sine partials under a quick attack and an exponential decay.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SAMPLE_RATE = 22_050;

/** One struck note: a frequency, when it starts, how long it rings, how loud (0..1). */
interface Note {
  hz: number;
  at: number;
  ring: number;
  gain: number;
}

function render(notes: readonly Note[], seconds: number): Int16Array {
  const samples = new Float64Array(Math.round(seconds * SAMPLE_RATE));
  for (const note of notes) {
    const start = Math.round(note.at * SAMPLE_RATE);
    const length = Math.min(samples.length - start, Math.round(note.ring * SAMPLE_RATE));
    for (let i = 0; i < length; i++) {
      const t = i / SAMPLE_RATE;
      // 6 ms attack (no click), then a decay that reaches about -60 dB at the end of the ring
      const envelope = Math.min(1, t / 0.006) * Math.exp((-6.9 * t) / note.ring);
      // a bell-like tone: the fundamental with two quieter partials
      const tone =
        Math.sin(2 * Math.PI * note.hz * t) +
        0.35 * Math.sin(2 * Math.PI * note.hz * 2 * t) +
        0.12 * Math.sin(2 * Math.PI * note.hz * 3.01 * t);
      samples[start + i] = (samples[start + i] ?? 0) + note.gain * envelope * tone;
    }
  }
  const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0) || 1;
  // normalised to -3 dBFS: loud enough at full volume, never clipping
  const scale = (0.708 * 32767) / peak;
  return Int16Array.from(samples, (s) => Math.round(s * scale));
}

function wav(pcm: Int16Array): Buffer {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // PCM chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const sounds: Record<string, { notes: Note[]; seconds: number }> = {
  // two rising notes: "someone new is here"
  'new-chat': {
    seconds: 0.7,
    notes: [
      { hz: 659.25, at: 0, ring: 0.45, gain: 0.8 },
      { hz: 880, at: 0.14, ring: 0.55, gain: 0.9 },
    ],
  },
  // a three-note arpeggio, the most insistent: a colleague waits for an answer
  transfer: {
    seconds: 0.9,
    notes: [
      { hz: 523.25, at: 0, ring: 0.4, gain: 0.8 },
      { hz: 659.25, at: 0.12, ring: 0.4, gain: 0.8 },
      { hz: 783.99, at: 0.24, ring: 0.6, gain: 0.9 },
      { hz: 1046.5, at: 0.24, ring: 0.5, gain: 0.3 },
    ],
  },
  // one short soft note: a new line in a chat you already have
  message: {
    seconds: 0.3,
    notes: [{ hz: 987.77, at: 0, ring: 0.25, gain: 0.7 }],
  },
};

const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../renderer/sounds');
fs.mkdirSync(folder, { recursive: true });
for (const [name, { notes, seconds }] of Object.entries(sounds)) {
  const file = path.join(folder, `${name}.wav`);
  fs.writeFileSync(file, wav(render(notes, seconds)));
  console.log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)`);
}
