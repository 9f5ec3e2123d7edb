package dev.habla.protocol.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.ByteSourceJsonBootstrapper;
import com.fasterxml.jackson.core.json.ReaderBasedJsonParser;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import com.fasterxml.jackson.core.sym.CharsToNameCanonicalizer;
import java.io.IOException;
import java.io.Reader;

/**
 * Jackson's own UTF-8 and char parsers with one addition, {@link FastBinary#fastBinaryValue()}: when the current
 * token is a string that Jackson has not read yet (string tokens are lazy), find its closing quote in the input and
 * hand the text straight to {@link FastBase64}. Jackson would otherwise copy every character into its text buffer
 * first and the codec would then decode char by char. Everything else, including every error, is Jackson's.
 *
 * <p>Built by {@link Factory}, which is a plain {@link JsonFactory} that constructs these subclasses where Jackson
 * would construct the base classes (UTF-8 byte input without a BOM; Strings up to Jackson's 32 K char-array limit).
 * Pinned to the Jackson 2.x internals named here ({@code _inputPtr}, {@code _tokenIncomplete}); a parser is used by
 * one thread, like any Jackson parser.
 */
final class FastParsers {
    private FastParsers() {}

    /** A parser that can read the current, not yet consumed, string token as base64 without building its text. */
    interface FastBinary {
        /**
         * The decoded bytes of the current VALUE_STRING token, consuming it, or null (nothing consumed) when the
         * token is not a fresh string, is short, is not plain base64 in one of the JDK's alphabets, or is longer than
         * the stream's maximum string length (Jackson's own check must then apply). After a non-null return the
         * token's text is not available: callers move on with {@code nextToken()}.
         */
        byte[] fastBinaryValue();
    }

    static final class Factory extends JsonFactory {
        private static final long serialVersionUID = 1L;

        Factory(JsonFactoryBuilder b) {
            super(b);
        }

        private Factory(Factory src) {
            super(src, null);
        }

        @Override
        public JsonFactory copy() {
            return new Factory(this);
        }

        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            // Only the case Jackson itself would give to UTF8StreamJsonParser with nothing skipped: UTF-8, no BOM.
            if (len == 0 || data[offset] == (byte) 0xEF
                    || !JsonFactory.Feature.CANONICALIZE_FIELD_NAMES.enabledIn(_factoryFeatures)
                    || !JsonFactory.Feature.CHARSET_DETECTION.enabledIn(_factoryFeatures)) {
                return super._createParser(data, offset, len, ctxt);
            }
            _streamReadConstraints.validateDocumentLength(len);
            // detectEncoding() also records the encoding in the context, as Jackson's constructParser() does.
            if (new ByteSourceJsonBootstrapper(ctxt, data, offset, len).detectEncoding() != JsonEncoding.UTF8) {
                return super._createParser(data, offset, len, ctxt);
            }
            ByteQuadsCanonicalizer names = _byteSymbolCanonicalizer.makeChild(_factoryFeatures);
            return new Utf8(ctxt, _parserFeatures, _objectCodec, names, data, offset, offset + len);
        }

        @Override
        public JsonParser createParser(String content) throws IOException {
            int len = content.length();
            if (_inputDecorator != null || len > 0x8000 || !canUseCharArrays()) {
                return super.createParser(content);
            }
            // Same as JsonFactory.createParser(String), keeping the String for the fast path.
            IOContext ctxt = _createContext(_createContentReference(content), true);
            char[] buf = ctxt.allocTokenBuffer(len);
            content.getChars(0, len, buf, 0);
            _streamReadConstraints.validateDocumentLength(len);
            return new Chars(ctxt, _parserFeatures, _objectCodec, _rootCharSymbols.makeChild(), buf, len, content);
        }
    }

    static final class Utf8 extends UTF8StreamJsonParser implements FastBinary {
        Utf8(IOContext ctxt, int features, ObjectCodec codec, ByteQuadsCanonicalizer names, byte[] buf, int start, int end) {
            super(ctxt, features, null, codec, names, buf, start, end, 0, false);
        }

        @Override
        public byte[] fastBinaryValue() {
            if (_currToken != JsonToken.VALUE_STRING || !_tokenIncomplete) return null;
            int start = _inputPtr;
            int end = FastBase64.indexOfQuote(_inputBuffer, start, _inputEnd);
            if (end < 0 || end - start < FastBase64.MIN_FAST_CHARS || end - start > streamReadConstraints().getMaxStringLength()) {
                return null;
            }
            byte[] out = FastBase64.decode(_inputBuffer, start, end);
            if (out != null) {
                // Base64 has no newline, so Jackson's row/column bookkeeping needs nothing more than the pointer.
                _inputPtr = end + 1;
                _tokenIncomplete = false;
                _textBuffer.resetWithEmpty();
            }
            return out;
        }
    }

    static final class Chars extends ReaderBasedJsonParser implements FastBinary {
        /** The whole input: {@code _inputBuffer[i] == source.charAt(i)} for every i. */
        private final String source;

        Chars(IOContext ctxt, int features, ObjectCodec codec, CharsToNameCanonicalizer names, char[] buf, int len, String source) {
            super(ctxt, features, (Reader) null, codec, names, buf, 0, len, true);
            this.source = source;
        }

        @Override
        public byte[] fastBinaryValue() {
            if (_currToken != JsonToken.VALUE_STRING || !_tokenIncomplete) return null;
            int start = _inputPtr;
            int end = source.indexOf('"', start); // vectorised by the JDK
            if (end < 0 || end >= _inputEnd || end - start < FastBase64.MIN_FAST_CHARS
                    || end - start > streamReadConstraints().getMaxStringLength()) {
                return null;
            }
            byte[] ascii = FastBase64.narrowLatin1(_inputBuffer, start, end);
            byte[] out = ascii == null ? null : FastBase64.decode(ascii, 0, ascii.length);
            if (out != null) {
                _inputPtr = end + 1;
                _tokenIncomplete = false;
                _textBuffer.resetWithEmpty();
            }
            return out;
        }
    }
}
