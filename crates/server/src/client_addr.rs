//! The client's address, for the login throttle. It is the TCP peer, unless the peer is a
//! configured trusted reverse proxy (`--trusted-proxy`): then `X-Forwarded-For` is read
//! from the right, skipping trusted hops, and the right-most address that is not a trusted
//! proxy is the client (anything left of it could have been written by the client itself).

use actix_web::HttpRequest;
use actix_web::http::header;
use std::net::IpAddr;

/// One address or network: `10.0.0.5`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ip` or `ip/prefix` (IPv4 or IPv6).
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not an IP address or CIDR network (e.g. 10.0.0.0/8)");
        let (ip, prefix) = match s.trim().split_once('/') {
            Some((ip, p)) => (ip, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let net: IpAddr = ip.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Self {
            net: net.to_canonical(),
            prefix,
        })
    }

    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Parses a list of addresses or CIDR networks separated by commas or spaces.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split([',', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(Cidr::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client address of `peer` with these `X-Forwarded-For` values (in header order).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_for.iter().flat_map(|v| v.split(',')).rev();
        for hop in hops {
            // A hop the proxy could not have written ends the walk at the last good one.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }

    /// The client address of a request (`None` if the peer is unknown).
    pub fn client_of(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let values: Vec<&str> = req
            .headers()
            .get_all(header::X_FORWARDED_FOR)
            .filter_map(|v| v.to_str().ok())
            .collect();
        Some(self.client(peer, &values))
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses() {
        let n = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(n.contains(ip("10.1.200.3")));
        assert!(n.contains(ip("::ffff:10.1.0.1")));
        assert!(!n.contains(ip("10.2.0.1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.0/", "::/129"] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.9"), &["1.2.3.4"]), ip("10.0.0.9"));

        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        // The right-most untrusted hop; what the client wrote left of it is ignored.
        let xff = ["6.6.6.6, 198.51.100.7", "192.0.2.1"];
        assert_eq!(proxies.client(ip("10.0.0.9"), &xff), ip("198.51.100.7"));
        // An untrusted peer's header is ignored.
        assert_eq!(proxies.client(ip("203.0.113.5"), &xff), ip("203.0.113.5"));
        // No header, or only trusted hops: the left-most trusted one.
        assert_eq!(proxies.client(ip("10.0.0.9"), &[]), ip("10.0.0.9"));
        assert_eq!(
            proxies.client(ip("10.0.0.9"), &["10.0.0.3"]),
            ip("10.0.0.3")
        );
        // Garbage ends the walk at the last address a proxy wrote.
        assert_eq!(
            proxies.client(ip("10.0.0.9"), &["198.51.100.7, garbage"]),
            ip("10.0.0.9")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.9"), &["[2001:db8::1]:443"]),
            ip("2001:db8::1")
        );
    }
}
