// Formatting of numbers and times for display.
import {getLang} from './i18n.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function bytes(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '–';
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit += 1; }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Seconds as h:mm:ss (or m:ss under an hour). */
export function duration(seconds) {
  if (typeof seconds !== 'number' || !isFinite(seconds)) return '–';
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/** Bits per second as kbit/s or Mbit/s. */
export function bitrate(bps) {
  if (typeof bps !== 'number' || !isFinite(bps)) return '–';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}

function locale() { return getLang() === 'zh' ? 'zh-CN' : 'en'; }

/** Unix seconds as a local date and time. */
export function dateTime(ts) {
  if (typeof ts !== 'number') return '–';
  return new Date(ts * 1000).toLocaleString(locale(), {hour12: false});
}

/** Unix seconds as a local time of day (with seconds). */
export function clock(ts) {
  if (typeof ts !== 'number') return '–';
  return new Date(ts * 1000).toLocaleTimeString(locale(), {hour12: false});
}

export function basename(path) {
  if (typeof path !== 'string') return '';
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** A scalar typed into a form: numbers become numbers, everything else stays a string. */
export function parseScalar(text) {
  const trimmed = String(text).trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  return trimmed;
}

/** A value for a text input: strings as they are, everything else as JSON. */
export function showScalar(value) {
  if (value == null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Non-empty trimmed lines of a textarea. */
export function lines(text) {
  return String(text).split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}
