'use strict';

const crypto = require('crypto');
const { isE164 } = require('./validate');

const SCOPES = ['messages.send', 'messages.read', 'contacts.lookup', 'usage.read'];
const WORLD_STATES = ['active', 'pending_verification', 'pending_account_verification', 'rejected', 'suspended'];
const MESSAGE_TYPES = ['text', 'image', 'voice', 'document'];
const DELIVERY_DELAY_MS = 50;

const newId = (prefix) => `${prefix}_${crypto.randomBytes(12).toString('hex')}`;
const now = () => new Date().toISOString();

/**
 * All state lives in memory. Node runs request handlers on one thread and every
 * mutation below is synchronous, so concurrent requests always see a consistent store.
 */
class Store {
  constructor() {
    this.accounts = new Map(); // account name -> account
    this.keys = new Map(); // api key -> { account, scopes:Set, revoked }
    this.directory = new Map(); // TGO Connect phone -> { phone_verified, account_verified }
    this.seq = 0; // global creation order (newest first = highest seq)
    this.loadedAt = now();
    this.recipientSecret = crypto.randomBytes(16);
    this.pendingDeliveries = new Set();
  }

  nextSeq() {
    this.seq += 1;
    return this.seq;
  }

  // ---- world loading ------------------------------------------------------

  static fromWorld(world) {
    const fail = (msg) => {
      throw new Error(`invalid world file: ${msg}`);
    };
    if (!world || typeof world !== 'object' || Array.isArray(world)) fail('top level must be an object');
    const accounts = world.accounts;
    if (!accounts || typeof accounts !== 'object' || Array.isArray(accounts)) fail('"accounts" must be an object');

    const store = new Store();
    for (const entry of Array.isArray(world.tgo_connect) ? world.tgo_connect : []) {
      if (!entry || typeof entry.phone !== 'string') fail('tgo_connect entries need a "phone"');
      store.directory.set(entry.phone, {
        phone_verified: entry.phone_verified === true,
        account_verified: entry.account_verified === true,
      });
    }

    for (const [name, spec] of Object.entries(accounts)) {
      if (!spec || typeof spec !== 'object') fail(`account ${name} must be an object`);
      const account = { name, senderNumbers: [], messages: [] };
      store.accounts.set(name, account);

      for (const k of Array.isArray(spec.keys) ? spec.keys : []) {
        if (!k || typeof k.key !== 'string' || k.key === '') fail(`account ${name}: every key needs a "key" string`);
        if (store.keys.has(k.key)) fail(`key ${k.key} appears twice`);
        const scopes = new Set((Array.isArray(k.scopes) ? k.scopes : []).filter((s) => typeof s === 'string'));
        store.keys.set(k.key, { account, scopes, revoked: k.revoked === true });
      }

      for (const sn of Array.isArray(spec.sender_numbers) ? spec.sender_numbers : []) {
        if (!sn || typeof sn.phone !== 'string') fail(`account ${name}: every sender number needs a "phone"`);
        if (!WORLD_STATES.includes(sn.state)) fail(`account ${name}: sender ${sn.phone} has unknown state ${sn.state}`);
        if (!isE164(sn.phone)) process.emitWarning(`world: sender number ${sn.phone} is not E.164`);
        if (account.senderNumbers.some((x) => x.phone === sn.phone)) fail(`account ${name}: sender ${sn.phone} appears twice`);
        store.addSenderNumber(account, {
          phone: sn.phone,
          display_name: typeof sn.display_name === 'string' ? sn.display_name : null,
          state: sn.state,
        });
      }
    }
    return store;
  }

  // ---- keys ---------------------------------------------------------------

  authenticate(key) {
    const entry = this.keys.get(key);
    if (!entry || entry.revoked) return null;
    return entry;
  }

  // ---- sender numbers -----------------------------------------------------

  addSenderNumber(account, { phone, display_name, state }) {
    const sn = {
      id: newId('sn'),
      phone,
      display_name,
      state,
      created_at: now(),
      seq: this.nextSeq(),
      usage: { total: 0, queued: 0, sent: 0, failed: 0, by_type: { text: 0, image: 0, voice: 0, document: 0 } },
    };
    account.senderNumbers.push(sn);
    return sn;
  }

  findSenderByPhone(account, phone) {
    return account.senderNumbers.find((s) => s.phone === phone) || null;
  }

  findSenderById(account, id) {
    return account.senderNumbers.find((s) => s.id === id) || null;
  }

  /**
   * status: lifecycle of the number (OTP step and administrative state).
   * verification_status: how far verification got; "verified" means OTP accepted
   * and the owner's TGO Connect account verified.
   */
  senderStatus(sn) {
    switch (sn.state) {
      case 'active':
        return { status: 'active', verification_status: 'verified' };
      case 'pending_account_verification':
        return { status: 'active', verification_status: 'pending_account_verification' };
      case 'pending_verification':
        return { status: 'pending_verification', verification_status: 'pending_verification' };
      case 'rejected':
        return { status: 'rejected', verification_status: 'rejected' };
      case 'suspended': {
        const owner = this.directory.get(sn.phone);
        return {
          status: 'suspended',
          verification_status: owner && owner.account_verified ? 'verified' : 'pending_account_verification',
        };
      }
      default:
        return { status: sn.state, verification_status: sn.state };
    }
  }

  senderJSON(sn) {
    const { status, verification_status } = this.senderStatus(sn);
    return {
      object: 'sender_number',
      id: sn.id,
      phone: sn.phone,
      display_name: sn.display_name,
      status,
      verification_status,
      can_send: status === 'active' && verification_status === 'verified',
      created_at: sn.created_at,
    };
  }

  usageJSON(sn) {
    const u = sn.usage;
    return {
      object: 'sender_number_usage',
      id: sn.id,
      sender_number_id: sn.id,
      phone: sn.phone,
      display_name: sn.display_name,
      messages: { total: u.total, queued: u.queued, sent: u.sent, failed: u.failed },
      by_type: { ...u.by_type },
    };
  }

  // ---- TGO Connect directory ----------------------------------------------

  recipientId(account, phone) {
    const h = crypto.createHmac('sha256', this.recipientSecret).update(`${account.name}\u0000${phone}`).digest('hex');
    return `rcp_${h.slice(0, 24)}`;
  }

  lookup(account, phone) {
    const entry = this.directory.get(phone);
    if (!entry) {
      return {
        object: 'contact_lookup',
        phone,
        exists: false,
        can_receive: false,
        reason_code: 'not_registered',
        recipient_id: null,
        is_verified: false,
        phone_verified_at: null,
      };
    }
    return {
      object: 'contact_lookup',
      phone,
      exists: true,
      can_receive: entry.phone_verified,
      reason_code: entry.phone_verified ? 'ok' : 'phone_not_verified',
      recipient_id: this.recipientId(account, phone),
      is_verified: entry.account_verified,
      phone_verified_at: entry.phone_verified ? this.loadedAt : null,
    };
  }

  // ---- messages -----------------------------------------------------------

  createMessage(account, sn, fields) {
    const msg = {
      object: 'message',
      id: newId('msg'),
      sender_number_id: sn.id,
      sender_phone: sn.phone,
      to_phone: fields.to_phone,
      message_type: fields.message_type,
      content: fields.content,
      media: fields.media,
      duration: fields.duration,
      status: 'queued',
      failure_reason: null,
      created_at: now(),
      sent_at: null,
    };
    const record = { msg, seq: this.nextSeq(), sn };
    account.messages.push(record);
    sn.usage.total += 1;
    sn.usage.queued += 1;
    sn.usage.by_type[fields.message_type] += 1;
    this.scheduleDelivery(account, record);
    return msg;
  }

  // Delivery happens in the background shortly after the 202; its outcome
  // depends on whether the recipient is reachable through TGO Connect.
  scheduleDelivery(account, record) {
    const timer = setTimeout(() => {
      this.pendingDeliveries.delete(timer);
      this.deliver(account, record);
    }, DELIVERY_DELAY_MS);
    this.pendingDeliveries.add(timer);
  }

  deliver(account, record) {
    const { msg, sn } = record;
    if (msg.status !== 'queued') return;
    const reach = this.lookup(account, msg.to_phone);
    sn.usage.queued -= 1;
    if (reach.can_receive) {
      msg.status = 'sent';
      msg.sent_at = now();
      sn.usage.sent += 1;
    } else {
      msg.status = 'failed';
      msg.failure_reason = reach.reason_code;
      sn.usage.failed += 1;
    }
  }

  stop() {
    for (const t of this.pendingDeliveries) clearTimeout(t);
    this.pendingDeliveries.clear();
  }
}

// Items newest first (highest creation sequence first).
const newestFirst = (items) => items.slice().sort((a, b) => b.seq - a.seq);

module.exports = { Store, SCOPES, MESSAGE_TYPES, newestFirst };
