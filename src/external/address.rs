//! What an external address must look like, judged without the network:
//! which links `check --external` asks, which `mailto:` addresses are
//! well formed, and which addresses are errors in every build (`htps://…`,
//! `https://` with no host, `javascript:`).

use std::ops::Range;

/// What an external link's address is, from its text alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// An `http:` or `https:` address (a protocol-relative `//host/…` is
    /// asked as `https:`), without its `#fragment`: what is asked.
    Web(String),
    /// A well-formed `mailto:` address: checked for its syntax only.
    Mail,
    /// Another scheme (`tel:`, `ftp:`, `data:`…): left as written.
    Other,
    /// An address no reader can follow.
    Malformed {
        message: String,
        hint: Option<String>,
    },
}

/// Classifies an external link's address (`url::is_external` holds for it).
pub fn classify(address: &str) -> Address {
    if let Some(rest) = address.strip_prefix("//") {
        return web(address, "https", rest);
    }
    let Some((scheme, rest)) = address.split_once(':') else {
        return Address::Other;
    };
    let lower = scheme.to_ascii_lowercase();
    match lower.as_str() {
        "http" | "https" => match rest.strip_prefix("//") {
            Some(after) => web(address, &lower, after),
            None => malformed(
                format!("`{scheme}:` must be followed by `//` and a host name"),
                Some(format!(
                    "write `{lower}://{}`",
                    rest.trim_start_matches(['/', '\\'])
                )),
            ),
        },
        "mailto" => mailto(rest),
        "javascript" => malformed(
            "a `javascript:` link runs code instead of leading to an address".to_string(),
            Some("link to a page or a file; a script belongs in a template".to_string()),
        ),
        _ => match near_web_scheme(&lower) {
            Some(meant) => malformed(
                format!("`{scheme}:` is not a web address scheme"),
                Some(format!("did you mean `{meant}:`?")),
            ),
            None => Address::Other,
        },
    }
}

fn malformed(message: String, hint: Option<String>) -> Address {
    Address::Malformed { message, hint }
}

/// `http` or `https` when `scheme` is one typing mistake away from it
/// (`htps`, `htttp`, `hhtps`, `htpts`); `ftp`, two away, is a scheme of its own.
fn near_web_scheme(scheme: &str) -> Option<&'static str> {
    ["https", "http"]
        .into_iter()
        .find(|web| strsim::damerau_levenshtein(scheme, web) == 1)
}

/// An `http(s)://` address: `after` is what follows the `//`.
fn web(address: &str, scheme: &str, after: &str) -> Address {
    if let Some(c) = address
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return malformed(
            format!("the address contains {}", describe(c)),
            Some("encode a space as `%20`, and write `/`, never `\\`".to_string()),
        );
    }
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    // A user name (`user@host`) is allowed by the syntax, if rare on a public page.
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if let Err(problem) = check_host(host) {
        let hint = "a web address is `https://` then a host name such as `example.org`";
        return malformed(problem, Some(hint.to_string()));
    }
    let path = &after[authority_end..];
    let path = path.split_once('#').map_or(path, |(p, _)| p);
    Address::Web(format!("{scheme}://{authority}{path}"))
}

fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\\' => "a backslash".to_string(),
        c => format!("the character {c:?}"),
    }
}

/// A host name, IPv4 or bracketed IPv6 address, with an optional port.
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the address has no host name".to_string());
    }
    let (name, port) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((ip, port)) if !ip.is_empty() && ip.contains(':') => {
                if !ip
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
                {
                    return Err(format!("`[{ip}]` is not an IPv6 address"));
                }
                (None, port)
            }
            _ => return Err(format!("`{host}` is not a host name")),
        },
        None => {
            let (name, port) = host.split_at(host.find(':').unwrap_or(host.len()));
            (Some(name), port)
        }
    };
    if let Some(name) = name {
        let labels = name.strip_suffix('.').unwrap_or(name);
        let bad_label = labels.split('.').find(|label| {
            label.is_empty()
                || label.starts_with('-')
                || label.ends_with('-')
                || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if name.is_empty() {
            return Err("the address has no host name".to_string());
        }
        if bad_label.is_some() {
            return Err(format!("`{name}` is not a valid host name"));
        }
    }
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()
        });
    if !port_ok {
        return Err(format!("`{port}` is not a port number"));
    }
    Ok(())
}

/// `mailto:` is well formed with one address or more (comma-separated,
/// `%`-escapes allowed), each `name@host`, and any `?subject=…` after;
/// with no address before `?` only if the query gives one (`?to=…`).
fn mailto(rest: &str) -> Address {
    let (to, query) = rest.split_once('?').unwrap_or((rest, ""));
    let hint = Some("write `mailto:name@example.org`".to_string());
    if to.is_empty() {
        let to_in_query = query
            .split('&')
            .any(|pair| pair.to_ascii_lowercase().starts_with("to="));
        return if to_in_query {
            Address::Mail
        } else {
            malformed("the `mailto:` link has no address".to_string(), hint)
        };
    }
    for one in to.split(',') {
        let decoded = crate::url::percent_decode(one);
        let problem = match decoded.rsplit_once('@') {
            None => Some(format!("`{decoded}` has no `@`")),
            Some(("", _)) => Some(format!("`{decoded}` has no name before the `@`")),
            Some((name, _))
                if name.contains(|c: char| c.is_whitespace() || "<>()[]\\,;:\"@".contains(c)) =>
            {
                Some(format!(
                    "`{decoded}` has a character no e-mail name may hold"
                ))
            }
            Some((_, host))
                if !host.contains('.') || check_host(host).is_err() || host.contains(':') =>
            {
                Some(format!("`{host}` after the `@` is not a mail domain"))
            }
            Some(_) => None,
        };
        if let Some(problem) = problem {
            return malformed(format!("this e-mail address is malformed: {problem}"), hint);
        }
    }
    Address::Mail
}

/// The byte ranges of the addresses written in free text (a data file's
/// `source`): each word holding `://`, without the punctuation that ends a
/// sentence after it or the bracket that closes around it.
pub fn in_text(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(at) = text[search..].find("://").map(|i| search + i) {
        let start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map_or(0, |i| i + 1);
        let len = text[at..]
            .find(|c: char| c.is_whitespace() || "<>\"'".contains(c))
            .unwrap_or(text.len() - at);
        let mut end = at + len;
        loop {
            let word = &text[start..end];
            let Some(last) = word.chars().last() else {
                break;
            };
            let unbalanced = match last {
                ')' => word.matches('(').count() < word.matches(')').count(),
                ']' => word.matches('[').count() < word.matches(']').count(),
                '.' | ',' | ';' | ':' | '!' | '?' => true,
                _ => false,
            };
            if !unbalanced {
                break;
            }
            end -= last.len_utf8();
        }
        if start < at && text[start..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            found.push(start..end);
        }
        search = (at + len).max(at + 3);
    }
    found
}

/// Whether `address` matches the `exclude` pattern: `*` is any run of
/// characters and the rest must match exactly, over the whole address.
pub fn matches(pattern: &str, address: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = address.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_malformed(address: &str) -> bool {
        matches!(classify(address), Address::Malformed { .. })
    }

    #[test]
    fn web_addresses_are_asked_without_their_fragment() {
        for (written, asked) in [
            ("https://example.org", "https://example.org"),
            ("https://example.org/a?b=c#d", "https://example.org/a?b=c"),
            ("HTTP://Example.org:8080/x", "http://Example.org:8080/x"),
            ("//cdn.example.org/x.js", "https://cdn.example.org/x.js"),
            ("https://[::1]:8080/", "https://[::1]:8080/"),
            ("https://user@example.org/", "https://user@example.org/"),
            ("https://bücher.example/", "https://bücher.example/"),
            ("https://example.org./", "https://example.org./"),
        ] {
            assert_eq!(
                classify(written),
                Address::Web(asked.to_string()),
                "{written}"
            );
        }
    }

    #[test]
    fn malformed_addresses_are_found_without_the_network() {
        for bad in [
            "htps://example.org/",
            "htp://example.org/",
            "httpss://example.org/",
            "hhttp://example.org/",
            "https://",
            "https:///path",
            "https:example.org",
            "http:/example.org",
            "https://exa mple.org/",
            "https://example.org/a b",
            "https://example..org/",
            "https://-example.org/",
            "https://example.org:80x/",
            "https://example.org:99999/",
            "javascript:alert(1)",
            "JavaScript:void(0)",
            "mailto:",
            "mailto:nobody",
            "mailto:@example.org",
            "mailto:a@localhost",
            "mailto:a b@example.org",
            "mailto:a@example.org,b",
        ] {
            assert!(is_malformed(bad), "{bad}: {:?}", classify(bad));
        }
        let Address::Malformed { hint, .. } = classify("htps://example.org/") else {
            unreachable!()
        };
        assert_eq!(hint.as_deref(), Some("did you mean `https:`?"));
    }

    #[test]
    fn other_schemes_and_good_mail_are_left_alone() {
        for other in [
            "tel:+441234",
            "ftp://example.org/",
            "data:text/plain,x",
            "urn:isbn:1",
        ] {
            assert_eq!(classify(other), Address::Other, "{other}");
        }
        for mail in [
            "mailto:a@example.org",
            "MAILTO:first.last+tag@sub.example.org",
            "mailto:a@example.org,b@example.org?subject=Hello%20there",
            "mailto:first%2Blast@example.org",
            "mailto:?to=a@example.org&subject=x",
        ] {
            assert_eq!(classify(mail), Address::Mail, "{mail}");
        }
    }

    #[test]
    fn addresses_are_found_in_prose() {
        let text = "WHO (https://who.int/x_(y)), see https://a.org/b. Or <http://c.org>; not ftp:// alone, nor ://x";
        let found: Vec<&str> = in_text(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            found,
            [
                "https://who.int/x_(y)",
                "https://a.org/b",
                "http://c.org",
                "ftp://"
            ]
        );
    }

    #[test]
    fn exclude_patterns_match_the_whole_address() {
        assert!(matches(
            "https://www.linkedin.com/*",
            "https://www.linkedin.com/in/x"
        ));
        assert!(matches(
            "*://intranet.example.org/*",
            "http://intranet.example.org/a"
        ));
        assert!(matches("https://a.org/x", "https://a.org/x"));
        assert!(!matches("https://a.org/x", "https://a.org/xy"));
        assert!(!matches("https://a.org/*", "http://a.org/x"));
        assert!(matches("*login*", "https://a.org/login?next=/"));
        assert!(!matches("*a*a", "https://xa"));
        assert!(matches("*", ""));
    }
}
