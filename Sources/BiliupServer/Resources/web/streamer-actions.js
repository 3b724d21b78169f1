// Start / stop / pause / resume / delete of one streamer; shared by the list and the edit page.
import * as api from './http.js';
import {t} from './i18n.js';
import * as toast from './toast.js';
import {actionButton} from './ui.js';

/** POSTs /api/streamers/{id}/{verb} and hands the updated streamer to `done`. */
export async function control(streamer, verb, done) {
  try {
    const updated = await api.post(`/api/streamers/${streamer.id}/${verb}`);
    toast.info(t(`streamer.done.${verb}`, {name: streamer.name}));
    done(updated && updated.id != null ? updated : null);
  } catch (e) {
    toast.error(e);
  }
}

/** The buttons for the controls every streamer has (script ones too). */
export function controlButtons(streamer, done) {
  const paused = streamer.paused || streamer.state === 'paused';
  const make = (verb, kind = '') => actionButton(t(`streamer.${verb}`), () => control(streamer, verb, done),
    {class: `btn small ${kind}`.trim(), 'data-testid': `streamer-${verb}`});
  return [
    make('start'),
    make('stop'),
    paused ? make('resume', 'primary') : make('pause'),
  ];
}

export async function remove(streamer, done) {
  if (!confirm(t('streamer.confirmDelete', {name: streamer.name}))) return;
  try {
    await api.del(`/api/streamers/${streamer.id}`);
    toast.info(t('streamer.done.delete', {name: streamer.name}));
    done();
  } catch (e) {
    toast.error(e);
  }
}
