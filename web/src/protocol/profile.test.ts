import { describe, expect, it } from 'vitest';
import { apiUrl, avatarUrl, idpKind, idpLabel, loginHref, parseLoginStatus, parseProfile } from './profile';
import { fingerprintKey, sdpFingerprint } from './sdpFingerprint';

describe('profiles §3.4', () => {
  it('parses the camelCase profile, dropping empty and mistyped fields', () => {
    expect(parseProfile({ username: 'alice', displayName: 'Alice A.', avatarURL: 'https://x/a.png' })).toEqual({ username: 'alice', displayName: 'Alice A.', avatarURL: 'https://x/a.png' });
    expect(parseProfile({ username: 'bob', displayName: '  ', avatarURL: 7 })).toEqual({ username: 'bob' });
    expect(parseProfile({ err: 'Unauthorized' })).toBeNull();
    expect(parseProfile({ username: '' })).toBeNull();
    expect(parseProfile(null)).toBeNull();
  });
  it('reads /profile/status strictly', () => {
    expect(parseLoginStatus({ logged_in: true })).toBe(true);
    expect(parseLoginStatus({ logged_in: 'true' })).toBe(false);
    expect(parseLoginStatus({})).toBe(false);
  });
  it('builds API and avatar URLs from a path or absolute prefix', () => {
    expect(apiUrl('/api', '/profile')).toBe('/api/profile');
    expect(apiUrl('https://h/api/', '/logout')).toBe('https://h/api/logout');
    expect(avatarUrl('/api')).toBe('/api/profile/avatar');
    expect(avatarUrl('/api', 'a b&c')).toBe('/api/profile/avatar?username=a%20b%26c');
  });
});

describe('login buttons §10.1 idp', () => {
  it('picks the button by kind and prefers displayName', () => {
    expect(idpKind('github')).toBe('github');
    expect(idpKind('kioubit')).toBe('kioubit');
    expect(idpKind('mock-iap')).toBe('generic');
    expect(idpLabel({ kind: 'github' })).toBe('Sign in with GitHub');
    expect(idpLabel({ kind: 'kioubit' })).toBe('Sign in with Kioubit');
    expect(idpLabel({ kind: 'mock-iap' })).toBe('Login');
    expect(idpLabel({ kind: 'github', displayName: 'GitHub (work)' })).toBe('GitHub (work)');
  });
  it('navigates to loginUrl with its parameters, never to a non-http URL', () => {
    const o = 'http://127.0.0.1:3001';
    expect(loginHref({ loginUrl: '/api/github/login/start' }, o)).toBe('/api/github/login/start');
    expect(loginHref({ loginUrl: '/api/x/start', parameters: { a: '1 2' } }, o)).toBe('/api/x/start?a=1+2');
    expect(loginHref({ loginUrl: 'https://idp.example/start' }, o)).toBe('https://idp.example/start');
    expect(loginHref({ loginUrl: 'javascript:alert(1)' }, o)).toBeNull();
  });
});

describe('DTLS fingerprint of an SDP', () => {
  const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 ab:cd:EF:01\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:sha-256 AB:CD:EF:01\r\n';
  it('normalises and prefers SHA-256', () => {
    expect(sdpFingerprint(sdp)).toBe('sha-256 AB:CD:EF:01');
    expect(sdpFingerprint('a=fingerprint:sha-1 00:11\r\na=fingerprint:sha-256 22:33\r\n')).toBe('sha-256 22:33');
    expect(sdpFingerprint('a=fingerprint:sha-1 00:11\n')).toBe('sha-1 00:11');
    expect(sdpFingerprint('v=0\r\n')).toBeNull();
    expect(sdpFingerprint('a=fingerprint:sha-256 not-hex\r\n')).toBeNull();
    expect(sdpFingerprint(undefined)).toBeNull();
  });
  it('makes a compact conversation key', () => {
    expect(fingerprintKey('sha-256 AB:CD:EF:01')).toBe('k:abcdef01');
    expect(fingerprintKey('sha-1 00:11')).toBe('k:sha-1:0011');
  });
});
