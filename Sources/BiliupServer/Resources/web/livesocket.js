// The WebSocket at /api/ws: connects with a filter, reconnects with exponential backoff, and can change
// its filter while open (by sending {"types", "level", "streamer_id"}).

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

export class LiveSocket {
  /**
   * filter: {types: ['log', 'state'], level: 'info', streamer_id: null | number}
   * handlers: onMessage(obj), onStatus(state, detail) with state 'connecting' | 'open' | 'closed' | 'waiting'
   */
  constructor(filter, {onMessage, onStatus}) {
    this.filter = {...filter};
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.delay = MIN_DELAY_MS;
    this.timer = null;
    this.ws = null;
    this.stopped = false;
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams({types: this.filter.types.join(','), level: this.filter.level});
    if (this.filter.streamer_id != null) params.set('streamer_id', String(this.filter.streamer_id));
    return `${scheme}//${location.host}/api/ws?${params}`;
  }

  connect() {
    if (this.stopped) return;
    this.onStatus('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.delay = MIN_DELAY_MS;
      this.onStatus('open');
    };
    ws.onmessage = (event) => {
      // A frame holds one or more messages, one JSON object per line.
      for (const line of String(event.data).split('\n')) {
        let message;
        try { message = JSON.parse(line); } catch { continue; }
        if (message && typeof message === 'object') this.onMessage(message);
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onStatus('closed', event.code);
      this.retry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  retry() {
    if (this.stopped) return;
    const wait = this.delay;
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
    this.onStatus('waiting', Math.round(wait / 1000));
    this.timer = setTimeout(() => this.connect(), wait);
  }

  setFilter(filter) {
    this.filter = {...this.filter, ...filter};
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({types: this.filter.types, level: this.filter.level,
        streamer_id: this.filter.streamer_id ?? null}));
    }
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close();
    }
  }
}
