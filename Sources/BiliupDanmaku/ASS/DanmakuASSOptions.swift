extension DanmakuASS {
    /// How the subtitles look and how crowded the screen may get.
    public struct Options: Sendable, Equatable {
        /// The script's resolution (PlayResX/PlayResY); players scale it to the video.
        public var width = 1920
        public var height = 1080
        /// The default is a CJK font because most danmaku is Chinese; fontconfig substitutes a font that
        /// has the glyphs when it is not installed.
        public var font = "Noto Sans CJK SC"
        /// Font size (ASS line height) of a normal-sized (25) comment; nil means 36 at 1080 lines,
        /// scaled with the height.
        public var fontSize: Int?
        /// 1 is opaque.
        public var opacity = 0.8
        /// Seconds a scrolling comment takes to cross the screen.
        public var scrollDuration = 12.0
        /// Seconds a top or bottom comment stays.
        public var fixedDuration = 5.0
        /// Fraction of the screen height, from the top, that scrolling lanes may use (the rest stays
        /// clear for the picture).
        public var area = 0.5
        /// Comments containing any of these (case-insensitive) are left out.
        public var blockKeywords: [String] = []
        /// How long a comment may wait for a free lane before it is dropped: shown later than this it
        /// would answer a moment of the stream that is gone.
        public var maxDelay = 3.0

        public init() {}

        /// The font size of a normal comment.
        public var resolvedFontSize: Int {
            fontSize ?? max(1, Int((36.0 * Double(height) / 1080.0).rounded()))
        }

        /// Nil when the options are usable, else what is wrong, worded for a command line.
        public var problem: String? {
            if width < 16 || height < 16 || width > 16384 || height > 16384 { return "resolution \(width)x\(height) is outside 16x16 … 16384x16384" }
            if let fontSize, fontSize < 1 || fontSize > height { return "font size \(fontSize) must be between 1 and the height (\(height))" }
            if font.isEmpty || font.contains(",") || font.contains("\n") { return "font name \"\(font)\" cannot be used in an ASS style" }
            if !(opacity > 0 && opacity <= 1) { return "opacity \(opacity) must be above 0 and at most 1" }
            if !(scrollDuration >= 1 && scrollDuration <= 600) { return "duration \(scrollDuration) s must be between 1 and 600" }
            if !(fixedDuration >= 0.5 && fixedDuration <= 600) { return "fixed duration \(fixedDuration) s must be between 0.5 and 600" }
            if !(area > 0 && area <= 1) { return "area \(area) must be above 0 and at most 1" }
            if !(maxDelay >= 0 && maxDelay <= 600) { return "maximum delay \(maxDelay) s must be between 0 and 600" }
            return nil
        }
    }

    /// What a conversion did with the comments it read.
    public struct Stats: Sendable, Equatable {
        /// Comments in the ASS file.
        public var written = 0
        /// Comments that found no free lane within `maxDelay`: the screen was full.
        public var dropped = 0
        /// Comments left out for a blocked keyword.
        public var blocked = 0
        /// Comments with nothing to show (empty text) or a mode with no lanes (positioned, code).
        public var skipped = 0

        public init(written: Int = 0, dropped: Int = 0, blocked: Int = 0, skipped: Int = 0) {
            self.written = written
            self.dropped = dropped
            self.blocked = blocked
            self.skipped = skipped
        }
    }
}
