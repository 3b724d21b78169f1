#!/usr/bin/env python3
"""Writes the danmaku fuzz seeds: one small frame per file, shaped like each platform's server frames,
built here byte by byte (independently of the Swift encoders). Run from anywhere; it writes next to itself.
The brotli seed reuses the libbrotlienc output kept in Fixtures.swift (Python has no brotli module here)."""
import gzip, json, os, re, struct, zlib

HERE = os.path.dirname(os.path.abspath(__file__))

def write(protocol, name, data):
    os.makedirs(os.path.join(HERE, protocol), exist_ok=True)
    with open(os.path.join(HERE, protocol, name), "wb") as f:
        f.write(data)

# Bilibili: 16-byte big-endian header (length, 16, version, operation, sequence 1) + body.
def bili(op, ver, body):
    return struct.pack(">IHHII", 16 + len(body), 16, ver, op, 1) + body

danmu = json.dumps({"cmd": "DANMU_MSG", "info": [[0, 1, 25, 16772431, 1733120000000, -1, 0, "a1b2c3", 0, 0, 0, "", 0, "{}", "{}",
        {"extra": "{\"emoticon_unique\":\"\"}"}], "弹幕", [12345, "观众甲", 0, 0, 0, 10000, 1, ""], [], []]},
        ensure_ascii=False).encode()
gift = json.dumps({"cmd": "SEND_GIFT", "data": {"uname": "送礼人", "uid": 678, "giftName": "小心心", "price": 100, "num": 5}},
        ensure_ascii=False).encode()
sc = json.dumps({"cmd": "SUPER_CHAT_MESSAGE", "data": {"message": "醒目", "price": 30, "uid": 9, "user_info": {"uname": "sc"}}},
        ensure_ascii=False).encode()
guard = json.dumps({"cmd": "GUARD_BUY", "data": {"username": "舰长", "uid": 10, "gift_name": "舰长", "price": 198000, "num": 1}},
        ensure_ascii=False).encode()
write("bilibili", "danmu-plain.bin", bili(5, 0, danmu))
write("bilibili", "zlib-batch.bin", bili(5, 2, zlib.compress(bili(5, 0, danmu) + bili(5, 0, gift) + bili(5, 0, sc) + bili(5, 0, guard), 9)))
# The auth reply, then a heartbeat reply whose 20-byte packet is followed by the echoed heartbeat body.
write("bilibili", "auth-and-heartbeat-reply.bin", bili(8, 1, b'{"code":0}') + bili(3, 1, struct.pack(">I", 12345)) + b"[object Object]")
fixtures = open(os.path.join(HERE, "..", "Fixtures.swift"), encoding="utf-8").read()
brotli_array = re.search(r"let brotliDanmuAndGift: \[UInt8\] = \[(.*?)\]", fixtures, re.S).group(1)
write("bilibili", "brotli-batch.bin", bili(5, 3, bytes(int(x, 16) for x in re.findall(r"0x[0-9a-f]{2}", brotli_array))))

# Douyu: u32 LE length twice, u16 LE 690, two zero bytes, STT body, NUL.
def douyu(body):
    payload = body.encode()
    return struct.pack("<IIH", 9 + len(payload), 9 + len(payload), 690) + b"\0\0" + payload + b"\0"
write("douyu", "chat-and-gift.bin", douyu("type@=loginres/userid@=0/") +
      douyu("type@=chatmsg/rid@=9999/uid@=123456/nn@=斗鱼@A用户/txt@=a@Sb 666/col@=2/") +
      douyu("type@=dgb/rid@=9999/gfid@=824/gfn@=荧光棒/gfcnt@=10/uid@=654/nn@=送礼者/"))

# Twitch: IRC lines with IRCv3 tags.
write("twitch", "privmsg-and-ping.txt",
      b"@badge-info=;color=#1E90FF;display-name=Viewer\\sOne;user-id=4242;tmi-sent-ts=1733120000000 "
      b":viewer!viewer@viewer.tmi.twitch.tv PRIVMSG #channel :hello chat\r\n"
      b"PING :tmi.twitch.tv\r\n"
      b"@color=;display-name=;user-id=7 :anon!anon@anon.tmi.twitch.tv PRIVMSG #channel :\x01ACTION waves\x01\r\n")

# Huya: Tars heads are (tag << 4 | type); 0 int8, 2 int32, 3 int64, 6 string1, 9 list, 10/11 struct, 12 zero, 13 bytes.
def t_int(tag, v):
    if v == 0: return bytes([tag << 4 | 12])
    if -128 <= v < 128: return bytes([tag << 4 | 0]) + struct.pack(">b", v)
    if -2**31 <= v < 2**31: return bytes([tag << 4 | 2]) + struct.pack(">i", v)
    return bytes([tag << 4 | 3]) + struct.pack(">q", v)
def t_str(tag, s):
    b = s.encode()
    return (bytes([tag << 4 | 6]) if tag < 15 else bytes([0xf6, tag])) + bytes([len(b)]) + b
def t_bytes(tag, b):
    return bytes([tag << 4 | 13, 0]) + t_int(0, len(b)) + b
def t_struct(tag, body):
    return bytes([tag << 4 | 10]) + body + b"\x0b"
def huya_push(uri, msg):
    push = t_int(0, 0) + t_int(1, uri) + t_bytes(2, msg) + t_int(3, 1) + t_str(4, "live:1199513219532")
    return t_int(0, 7) + t_bytes(1, push)
notice = (t_struct(0, t_int(0, 1599512345) + t_int(1, 0) + t_str(2, "虎牙用户") + t_int(3, 1)) + t_int(1, 61796367) + t_int(2, 61796367)
          + t_str(3, "666 好活") + t_int(4, 0) + t_struct(5, t_int(0, -1) + t_int(1, 4)) + t_struct(6, t_int(0, 0xFF7F00) + t_int(1, 4))
          + t_int(7, 0) + bytes([8 << 4 | 9]) + t_int(0, 0))
write("huya", "chat.bin", huya_push(1400, notice))
write("huya", "gift.bin", huya_push(6501, t_int(0, 4) + t_str(1, "pay") + t_int(2, 99) + t_int(3, 1199513219532) + t_int(4, 55)
                                  + t_str(5, "主播") + t_str(6, "送礼者") + t_str(7, "") + t_str(20, "虎粮")))

# Douyin: protobuf keys (field << 3 | wire type); payload gzip-compressed as with compress=gzip.
def varint(v):
    out = bytearray()
    while True:
        low = v & 0x7f
        v >>= 7
        out.append(low | (0x80 if v else 0))
        if not v: return bytes(out)
def p_uint(f, v): return varint(f << 3) + varint(v)
def p_bytes(f, b): return varint(f << 3 | 2) + varint(len(b)) + b
def p_str(f, s): return p_bytes(f, s.encode())
def user(uid, nick): return p_uint(1, uid) + p_str(3, nick)
chat = p_bytes(1, p_str(1, "WebcastChatMessage")) + p_bytes(2, user(3094000000000001, "抖音用户")) + p_str(3, "主播好")
giftmsg = (p_uint(5, 10) + p_uint(6, 10) + p_bytes(7, user(42, "送礼人")) + p_uint(9, 1)
           + p_bytes(15, p_uint(5, 685) + p_uint(11, 1) + p_uint(12, 1) + p_str(16, "小心心")))
response = (p_bytes(1, p_str(1, "WebcastChatMessage") + p_bytes(2, chat)) + p_bytes(1, p_str(1, "WebcastGiftMessage") + p_bytes(2, giftmsg))
            + p_bytes(1, p_str(1, "WebcastLikeMessage") + p_bytes(2, p_uint(2, 15))) + p_str(5, "internal_src:dim|seq:1") + p_uint(9, 1))
def push(log_id, ptype, payload):
    return p_uint(1, 0) + p_uint(2, log_id) + p_str(6, "pb") + p_str(7, ptype) + (p_bytes(8, payload) if payload is not None else b"")
write("douyin", "chat-gift-ack.bin", push(7311234567890123456, "msg", gzip.compress(response, 9, mtime=0)))
write("douyin", "uncompressed.bin", push(7, "msg", response))

# TwitCasting: one WebSocket text message, lines of JSON arrays of events (older and newer comment shapes,
# a gift, a control message that is not an array).
write("twitcasting", "comments-and-gift.txt", "\n".join([
    json.dumps([{"id": 1, "message": "こんにちは", "from_user": {"id": "tc_user", "name": "視聴者"}}], ensure_ascii=False),
    json.dumps([{"type": "comment", "id": 2, "message": "hi", "author": {"id": "c:other", "name": "Other"}},
                {"type": "gift", "message": "", "item": {"name": "お茶"}, "sender": {"id": "g", "name": "Giver"}}],
               ensure_ascii=False),
    json.dumps({"type": "ping"}),
]).encode())

# YouTube: one get_live_chat answer with a text message (runs with an emoji), a super chat and a sticker.
write("youtube", "live-chat-answer.json", json.dumps({
    "responseContext": {"serviceTrackingParams": []},
    "continuationContents": {"liveChatContinuation": {
        "continuations": [{"invalidationContinuationData": {"timeoutMs": 5000, "continuation": "0ofMyAN"}}],
        "actions": [
            {"addChatItemAction": {"item": {"liveChatTextMessageRenderer": {
                "message": {"runs": [{"text": "hello "}, {"emoji": {"emojiId": "x", "shortcuts": [":wave:"]}}]},
                "authorName": {"simpleText": "Viewer"}, "id": "a"}}}},
            {"addChatItemAction": {"item": {"liveChatPaidMessageRenderer": {
                "purchaseAmountText": {"simpleText": "$5.00"}, "message": {"runs": [{"text": "great"}]},
                "authorName": {"simpleText": "Fan"}, "bodyBackgroundColor": 4280191205, "id": "b"}}}},
            {"addChatItemAction": {"item": {"liveChatPaidStickerRenderer": {
                "purchaseAmountText": {"simpleText": "¥200"}, "authorName": {"simpleText": "S"}, "id": "c"}}}},
        ]}}}, ensure_ascii=False).encode())
