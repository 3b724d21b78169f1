-- biliup orchestration file: `biliup run scripts/main.lua`
--
-- This is ordinary Lua 5.4 with the full standard library and the host modules plugins have (http,
-- json, crypto, time, log, cache, validate; see lua/README.md). Edit it while biliup runs: the change
-- is applied within seconds (streamers added, removed or changed; recordings of unchanged streamers go
-- on). A version that does not load is reported with file and line, and the last good one stays.
--
-- Durations: a number of seconds, or "30s", "10m", "1h", "1h30m", "HH:MM:SS".
-- Sizes: a number of bytes, or "500MB", "2GB".

biliup.config {
  data_dir = "data",              -- SQLite state (biliup.sqlite3) and your own plugins (data/plugins)
  -- The folder every recording is written below (created if missing; relative to where biliup runs).
  -- Only this file can choose it: the API and the web page change `output`, never the folder.
  recordings_root = "recordings",
  -- Where files go below recordings_root, without extension (it comes from the format): folders and a
  -- file name. strftime's %Y %m %d %H %M %S (and the others) are expanded first, then the placeholders:
  -- {streamer} (the name below), {title} (the room's title when recording starts), {name} (the
  -- streamer's name on the platform), {plugin}. A placeholder's value never adds a folder: "/", "\",
  -- "%", control characters and leading dots become "_", and each name is cut to 200 bytes. The
  -- template must be relative and without "..". A name that is taken gets "_1", "_2"...; an existing
  -- file is never overwritten.
  output = "{streamer}/{streamer}_%Y-%m-%d_%H-%M-%S_{title}",
  -- flv, ts, mkv or mp4 (fragmented); leave it out to keep the stream's own container
  -- (flv for HTTP-FLV and RTMP, ts for HLS-ts, mp4 for HLS-fMP4).
  -- format = "mkv",
  split = { time = "1h", size = "2GB" },  -- a new file at the first keyframe past either
  check_interval = 30,            -- seconds between checks of one room
  delay = 120,                    -- a stream gone for less than this continues the same session
  max_recordings = 50,            -- more live rooms than this wait in a queue
  min_free_disk = "5GB",          -- below this, no recording starts (running ones are closed)
  min_segment_size = "20MB",      -- smaller files (reconnect blips) are deleted and not reported
  check_rates = { default = 5 },  -- checks per second per platform, e.g. { default = 5, twitch = 1 }
  -- Refuse streams and plugin requests to loopback, link-local and private addresses (after DNS);
  -- for installs where other people add streamers. Off by default: your own URLs may be local.
  -- block_private_addresses = true,
  server = { bind = "127.0.0.1", port = 19159 },  -- the HTTP API and web page
  -- GET /metrics needs the API's login (Prometheus sends a token from POST /api/tokens); for one that
  -- cannot, server = { ..., public_metrics = true } serves it to whoever reaches the port.
  upload = { files = 2, chunks = 3 },  -- files uploading at once; chunks of one file in flight
}

-- Upload templates. A template that names an account (`biliup login --name main` stores one) uploads
-- every finished segment of its streamers while they record, and submits one archive per session when
-- it ends. Title and desc take the placeholders of `output` ({streamer}, {title}, strftime at the
-- session's start). Other keys: desc, cover (a file or URL), copyright (1, or 2 with source), dynamic,
-- dtime, no_reprint, up_close_danmu, up_close_reply, up_selection_reply, extra_fields,
-- submit = "app" | "web", line = "auto" | "bda2" | ..., after_upload = "keep" | "delete" | { move = "DIR" }
-- (applied only once Bilibili accepted the archive).
biliup.template "default" {
  -- account = "main",
  title = "{streamer} {title} %Y-%m-%d",
  tid = 171,
  tags = { "直播录像" },
}

-- One block per streamer. `url` is a room page (or a list of them: the first one live is recorded).
biliup.streamer "example" {
  url = "https://live.bilibili.com/6",
  template = "default",
  -- Chat (danmaku) while recording: NAME.xml beside each segment NAME.flv, with the messages that
  -- arrived during it, timed in seconds from its first frame (Bilibili's XML, read by DanmakuFactory and
  -- players). Bilibili, Douyu, Huya, Douyin, Twitch, TwitCasting and YouTube.
  danmaku = false,
  danmaku_detail = false,             -- gifts, super chats and guard purchases too (<s> elements)
  danmaku_ass = false,                -- also NAME.ass beside each segment (`biliup danmaku2ass` does it by hand)
  options = { qn = 10000 },           -- plugin options (`biliup plugins` lists them)
  schedule = { "00:00-24:00" },       -- windows when it may record: "20:00-02:00", "sat,sun 10:00-12:00"
  title_include = {},                 -- record only titles with one of these words
  title_exclude = { "回放" },          -- never record titles with one of these words
  -- Any recording option of biliup.config may be set per streamer:
  -- format = "ts", split = { time = "30m" }, check_interval = 60, delay = 300,
}

-- Hooks: stream_start, segment, stream_end, error, upload_start, upload_done, upload_error. Each gets a
-- table: event, message, time, streamer, session, and per event: url/title/plugin/stream
-- (stream_start); path/duration/bytes/report, and xml/ass with danmaku on (segment); reason/segments
-- (stream_end); aid/bvid/parts (upload_done).
-- Helpers: biliup.run({ argv... }) runs a program (an argument list, never a shell line) and returns
-- { status, stdout, stderr, error } (a second argument { timeout = seconds, cwd = dir }: at the timeout,
-- default 3600, it gets SIGTERM, 5 s later SIGKILL; status is 128 + the signal when a signal ended it);
-- biliup.move(from, to) (a video's NAME.xml and NAME.ass move with it); biliup.delete(path); biliup.remux(from, to)
-- (another container, e.g. ".mp4", without re-encoding).
biliup.on("segment", function(ev)
  log.info(("%s: %s (%.0f s, %d MB)"):format(ev.streamer, ev.path, ev.duration, ev.bytes // 1000000))
end)

biliup.on("stream_end", function(ev)
  log.info(ev.streamer .. ": session over (" .. ev.reason .. "), " .. #ev.segments .. " file(s)")
end)

-- Webhooks: each event named is POSTed as JSON ({type, id, time, streamer, session, message, data}) to
-- the URL, signed with the secret (X-Biliup-Signature: sha256=HMAC-SHA256 of the body), retried after
-- 1, 4 and 16 s; a receiver that stays down costs an error event, never a frame. Events: stream_start,
-- segment, stream_end, error, upload_start, upload_done, upload_error (default: all). The web page and
-- /api/webhooks add more.
-- biliup.webhook {
--   url = "https://hooks.example.com/biliup",
--   events = { "stream_start", "segment", "stream_end", "upload_done", "error" },
--   secret = "a long random string",
-- }
