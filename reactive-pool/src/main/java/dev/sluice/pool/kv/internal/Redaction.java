package dev.sluice.pool.kv.internal;

/** Removes credentials from text shown to people. */
public final class Redaction {

    private static final java.util.regex.Pattern USER_INFO = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]+@");

    private Redaction() {
    }

    /** The URL with its user information (user, password or token) replaced by {@code ***}. */
    public static String url(String url) {
        int scheme = url.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int at = url.lastIndexOf('@');
        int slash = url.indexOf('/', start);
        if (at >= start && (slash < 0 || at < slash)) {
            return url.substring(0, start) + "***" + url.substring(at);
        }
        return url;
    }

    /** The text with the user information of every URL in it replaced by {@code ***}. */
    public static String text(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
