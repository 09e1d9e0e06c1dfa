#!/usr/bin/env python3
"""Writes the sample invocation payloads in events/ (see events/README.md).

Deterministic: the same script writes the same bytes, so `git diff` after a re-run shows only
intended changes. Identifiers (SES message ids, SNS ids, signatures, receipt handles) are derived
from a hash of a fixed name, in the formats AWS uses; nothing is random and nothing is real.

The SES documents follow the layout of the AWS documentation examples kept in
../shared/corpus/ses-event-publishing/awsdocs-*.json (event publishing) and
../shared/corpus/ses-notifications/awsdocs-*.json (identity notifications).

Usage: python3 scripts/gen-events.py [OUTPUT_DIR]   (default: events/ next to this script's parent)
"""

import base64
import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

REGION = "us-east-1"
ACCOUNT = "123456789012"
CONFIG_SET = "ses-monitor-demo"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ses-monitor-events"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:ses-monitor-events"
RAW_QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:ses-monitor-events-raw"
FROM_DOMAIN = "mail.example.com"
SOURCE = f"Example Shop <news@{FROM_DOMAIN}>"
TRANSACTIONAL_SOURCE = f"Example Shop <orders@{FROM_DOMAIN}>"
SOURCE_IP = "203.0.113.24"
OUTGOING_IP = "54.240.8.112"
CALLER = "shop-mailer"
# Every sample happens on Thursday 2026-11-26 between 09:00 and 10:00 UTC.
BASE = datetime(2026, 11, 26, 9, 0, 0, tzinfo=timezone.utc)

NEWSLETTER = {"EmailType": "newsletter", "Campaign": "black-friday-2026"}
TRANSACTIONAL = {"EmailType": "transactional"}
BF_SUBJECT = "Black Friday: −30 % on everything, today only"


def h(name: str, n: int = 32) -> str:
    """n hex digits derived from a name."""
    out = ""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{name}/{i}".encode()).hexdigest()
        i += 1
    return out[:n]


def uuid(name: str) -> str:
    x = h("uuid:" + name)
    return f"{x[:8]}-{x[8:12]}-4{x[13:16]}-{'89ab'[int(x[16], 16) % 4]}{x[17:20]}-{x[20:32]}"


def ts(minute: int, second: float) -> datetime:
    return BASE + timedelta(minutes=minute, seconds=second)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ses_id(name: str, t: datetime) -> str:
    """An SES message / feedback id: 0100 (us-east-1) + 12 hex digits of epoch ms, a UUID, -000000."""
    ms = int(t.timestamp() * 1000)
    return f"0100{ms:012x}-{uuid(name)}-000000"


def b64(name: str, nbytes: int) -> str:
    raw = bytes.fromhex(h("b64:" + name, nbytes * 2))
    return base64.b64encode(raw).decode()


def compact(doc) -> str:
    """JSON as SES writes it: compact, UTF-8, slashes not escaped."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


# --- SES documents -------------------------------------------------------------------------------


class Msg:
    """One message sent through SES, and everything the events about it share."""

    def __init__(self, name, minute, second, to, subject, tags=None, source=SOURCE,
                 operation="SendEmail", cc=()):
        self.name = name
        self.sent = ts(minute, second)
        self.to = list(to)
        self.cc = list(cc)
        self.subject = subject
        self.tags = tags if tags is not None else NEWSLETTER
        self.source = source
        self.operation = operation
        self.id = ses_id("msg:" + name, self.sent)

    @property
    def destination(self):
        return self.to + self.cc

    def headers(self):
        boundary = f"----=_Part_{int(h('b:' + self.name, 8), 16) % 10**7}_{int(self.sent.timestamp() * 1000)}"
        hs = [
            {"name": "From", "value": self.source},
            {"name": "To", "value": ", ".join(self.to)},
        ]
        if self.cc:
            hs.append({"name": "Cc", "value": ", ".join(self.cc)})
        hs += [
            {"name": "Subject", "value": self.subject},
            {"name": "MIME-Version", "value": "1.0"},
            {"name": "Content-Type", "value": f'multipart/alternative; boundary="{boundary}"'},
        ]
        return hs

    def common_headers(self):
        ch = {
            "from": [self.source],
            "date": format_datetime(self.sent),
            "to": list(self.to),
        }
        if self.cc:
            ch["cc"] = list(self.cc)
        ch["messageId"] = self.id
        ch["subject"] = self.subject
        return ch

    def mail(self, headers=True, outgoing_ip=False, identity_notification=False):
        m = {
            "timestamp": iso(self.sent),
            "source": self.source,
            "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{FROM_DOMAIN}",
        }
        if identity_notification:
            m["sourceIp"] = SOURCE_IP
            m["callerIdentity"] = CALLER
        m["sendingAccountId"] = ACCOUNT
        m["messageId"] = self.id
        m["destination"] = self.destination
        m["headersTruncated"] = False
        if headers:
            m["headers"] = self.headers()
            m["commonHeaders"] = self.common_headers()
        if not identity_notification:
            tags = {
                "ses:operation": [self.operation],
                "ses:configuration-set": [CONFIG_SET],
                "ses:source-ip": [SOURCE_IP],
                "ses:from-domain": [FROM_DOMAIN],
                "ses:caller-identity": [CALLER],
            }
            if outgoing_ip:
                tags["ses:outgoing-ip"] = [OUTGOING_IP]
            for k, v in self.tags.items():
                tags[k] = [v]
            m["tags"] = tags
        return m


def send(msg):
    return {"eventType": "Send", "mail": msg.mail(), "send": {}}


# Receiving MTAs: (remote IP, SMTP answer to the end of DATA).
MTAS = {
    "gmail": ("142.250.31.27", "250 2.0.0 OK  {epoch} {id}-4f1b2c3d4e5f6a7b.gsmtp"),
    "yahoo": ("98.136.96.75", "250 ok dirdel"),
    "microsoft": ("52.101.40.26", "250 2.6.0 <{msgid}@email.amazonses.com> [InternalId=1395{epoch}] Queued mail for delivery"),
    "other": ("192.0.2.25", "250 2.0.0 Ok: queued as {id}"),
}


def delivery(msg, recipients, after_s, latency_ms, mta):
    t = msg.sent + timedelta(seconds=after_s)
    ip, answer = MTAS[mta]
    return {
        "eventType": "Delivery",
        "mail": msg.mail(outgoing_ip=True),
        "delivery": {
            "timestamp": iso(t),
            "processingTimeMillis": latency_ms,
            "recipients": list(recipients),
            "smtpResponse": answer.format(epoch=int(t.timestamp()), id=h("smtp:" + msg.name, 12), msgid=msg.id),
            "remoteMtaIp": ip,
            "reportingMTA": "a8-112.smtp-out.amazonses.com",
        },
    }


def bounce_obj(msg, kind, subtype, recipients, after_s, remote_ip="34.233.22.111"):
    t = msg.sent + timedelta(seconds=after_s)
    return {
        "feedbackId": ses_id("fb:" + msg.name, t),
        "bounceType": kind,
        "bounceSubType": subtype,
        "bouncedRecipients": recipients,
        "timestamp": iso(t),
        "remoteMtaIp": remote_ip,
        "reportingMTA": "dsn; a8-112.smtp-out.amazonses.com",
    }


def hard_bounce(msg, after_s=1.4):
    rcpt = [{
        "emailAddress": a,
        "action": "failed",
        "status": "5.1.1",
        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
    } for a in msg.destination]
    return {"eventType": "Bounce", "bounce": bounce_obj(msg, "Permanent", "General", rcpt, after_s),
            "mail": msg.mail()}


def soft_bounce(msg, address, mta, after_s=4.2):
    rcpt = [{
        "emailAddress": address,
        "action": "failed",
        "status": "5.2.2",
        "diagnosticCode": "smtp; 552 5.2.2 The recipient's mailbox is full and can't accept messages now.",
    }]
    return {"eventType": "Bounce",
            "bounce": bounce_obj(msg, "Transient", "MailboxFull", rcpt, after_s, MTAS[mta][0]),
            "mail": msg.mail()}


def complaint(msg, address, after_min):
    t = msg.sent + timedelta(minutes=after_min)
    return {
        "eventType": "Complaint",
        "complaint": {
            "feedbackId": ses_id("cfb:" + msg.name, t),
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": address}],
            "timestamp": iso(t),
            "userAgent": "Yahoo!-Mail-Feedback/2.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": iso(t - timedelta(seconds=2)),
        },
        "mail": msg.mail(),
    }


def reject(msg):
    return {"eventType": "Reject", "mail": msg.mail(), "reject": {"reason": "Bad content"}}


def open_(msg, after_min, gmail=True):
    t = msg.sent + timedelta(minutes=after_min)
    ev = {"eventType": "Open", "mail": msg.mail()}
    ev["open"] = {
        "timestamp": iso(t),
        "userAgent": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
        if gmail else
        "Mozilla/5.0 (iPhone; CPU iPhone OS 19_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "ipAddress": "66.249.84.35" if gmail else "198.51.100.77",
        "isBotEvent": "Unlikely",
    }
    return ev


def click(msg, after_min):
    t = msg.sent + timedelta(minutes=after_min)
    return {
        "eventType": "Click",
        "click": {
            "timestamp": iso(t),
            "ipAddress": "198.51.100.23",
            "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
            "link": "https://shop.example.com/black-friday?utm_source=ses&utm_campaign=black-friday-2026",
            "linkTags": {"link": ["hero-banner"]},
            "isBotEvent": "Unlikely",
        },
        "mail": msg.mail(),
    }


def rendering_failure(msg):
    m = msg.mail(headers=False)
    return {
        "eventType": "Rendering Failure",
        "mail": m,
        "failure": {
            "errorMessage": "Attribute 'firstName' is not present in the rendering data.",
            "templateName": "order-shipped",
        },
    }


def delivery_delay(msg, address, after_min):
    t = msg.sent + timedelta(minutes=after_min)
    return {
        "eventType": "DeliveryDelay",
        "mail": msg.mail(),
        "deliveryDelay": {
            "timestamp": iso(t),
            "delayType": "TransientCommunicationFailure",
            "expirationTime": iso(msg.sent + timedelta(hours=14)),
            "delayedRecipients": [{
                "emailAddress": address,
                "status": "4.7.500",
                "diagnosticCode": f"smtp; 451 4.7.500 Server busy. Please try again later from [{OUTGOING_IP}]. (S77719)",
            }],
            "reportingMTA": "a8-112.smtp-out.amazonses.com",
        },
    }


def subscription(msg, after_min):
    t = msg.sent + timedelta(minutes=after_min)

    def prefs(all_, status):
        return {"unsubscribeAll": all_,
                "topicSubscriptionStatus": [{"topicName": "weekly-deals", "subscriptionStatus": status}]}

    return {
        "eventType": "Subscription",
        "mail": msg.mail(),
        "subscription": {
            "contactList": "shop-newsletter",
            "timestamp": iso(t),
            "source": "UnsubscribeHeader",
            "newTopicPreferences": prefs(True, "OptOut"),
            "oldTopicPreferences": prefs(False, "OptIn"),
        },
    }


def notification_bounce(msg, after_s=2.1):
    """The identity-notification shape (notificationType), as a verified identity's bounce topic gets it."""
    rcpt = [{
        "emailAddress": a,
        "action": "failed",
        "status": "5.1.1",
        "diagnosticCode": "smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % a,
    } for a in msg.destination]
    t = msg.sent + timedelta(seconds=after_s)
    return {
        "notificationType": "Bounce",
        "bounce": {
            "feedbackId": ses_id("nfb:" + msg.name, t),
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": rcpt,
            "timestamp": iso(t),
            "remoteMtaIp": "192.0.2.25",
            "reportingMTA": "dsn; a8-112.smtp-out.amazonses.com",
        },
        "mail": msg.mail(identity_notification=True),
    }


# --- envelopes -----------------------------------------------------------------------------------


def sns_notification(name, message: str, t: datetime):
    """The SNS notification fields, as Lambda sees them (Records[].Sns)."""
    sub = uuid("sub:ses-monitor-events")
    return {
        "Type": "Notification",
        "MessageId": uuid("sns:" + name),
        "TopicArn": TOPIC,
        "Subject": None,
        "Message": message,
        "Timestamp": iso(t),
        "SignatureVersion": "1",
        "Signature": b64("sig:" + name, 256),
        "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-{h('cert', 32)}.pem",
        "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:{sub}",
        "MessageAttributes": {},
    }


def sns_event(name, message: str, t: datetime):
    """An SNS→Lambda invocation with one record."""
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": f"{TOPIC}:{uuid('sub:ses-monitor-events')}",
        "Sns": sns_notification(name, message, t),
    }]}


def sns_body(name, message: str, t: datetime) -> str:
    """An SNS envelope as SNS writes it into an SQS queue with raw message delivery off."""
    sub = uuid("sub:ses-monitor-events-sqs")
    env = {
        "Type": "Notification",
        "MessageId": uuid("sns:" + name),
        "TopicArn": TOPIC,
        "Message": message,
        "Timestamp": iso(t),
        "SignatureVersion": "1",
        "Signature": b64("sig:" + name, 256),
        "SigningCertURL": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-{h('cert', 32)}.pem",
        "UnsubscribeURL": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:{sub}",
    }
    return json.dumps(env, indent=2, separators=(",", " : "), ensure_ascii=False)


def sqs_record(name, body: str, t: datetime, queue=QUEUE, receive_count=1):
    sent = int(t.timestamp() * 1000)
    return {
        "messageId": uuid("sqs:" + name),
        "receiptHandle": "AQEB" + b64("rh:" + name, 180).replace("=", ""),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(sent),
            "SenderId": "AIDAIT2UOQQY3AUEKVGXU",
            "ApproximateFirstReceiveTimestamp": str(sent + 37),
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue,
        "awsRegion": REGION,
    }


def invocation_record(name, event, t: datetime, error: str):
    """What Lambda's on-failure destination keeps of an asynchronous invocation that failed all
    its attempts: the event itself is `requestPayload`."""
    return {
        "version": "1.0",
        "timestamp": iso(t),
        "requestContext": {
            "requestId": uuid("req:" + name),
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ses-monitor-SesEventsFunction-{h('fn', 12)}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorType": "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>",
                            "errorMessage": error},
    }


def event_time(doc) -> datetime:
    """When SES would publish the document: its own timestamp plus a moment."""
    for key in ("bounce", "complaint", "delivery", "deliveryDelay", "open", "click", "subscription"):
        if key in doc and "timestamp" in doc[key]:
            t = datetime.strptime(doc[key]["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            return t + timedelta(milliseconds=412)
    t = datetime.strptime(doc["mail"]["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return t + timedelta(milliseconds=388)


# --- the samples ---------------------------------------------------------------------------------


def samples():
    files = {}

    def sns_file(fname, doc):
        files[fname] = sns_event(fname, compact(doc), event_time(doc))

    bf = Msg("bf-1", 2, 11.402, ["alice.martin@gmail.com", "bob.chen@yahoo.com"],
             BF_SUBJECT, cc=["carol@example.org"])
    sns_file("sns-send.json", send(bf))
    sns_file("sns-delivery.json", delivery(bf, ["alice.martin@gmail.com"], 1.9, 1902, "gmail"))
    sim = Msg("sim-1", 4, 3.117, ["bounce@simulator.amazonses.com"], "Your order #48213 has shipped",
              tags=TRANSACTIONAL, source=TRANSACTIONAL_SOURCE)
    sns_file("sns-bounce-hard.json", hard_bounce(sim))
    full = Msg("bf-2", 5, 40.250, ["dave.k@hotmail.com"], BF_SUBJECT)
    sns_file("sns-bounce-soft.json", soft_bounce(full, "dave.k@hotmail.com", "microsoft"))
    sns_file("sns-complaint.json", complaint(bf, "bob.chen@yahoo.com", 41))
    virus = Msg("inv-1", 7, 12.004, ["erin@example.org"], "Invoice 2026-1147",
                tags=TRANSACTIONAL, source=TRANSACTIONAL_SOURCE, operation="SendRawEmail")
    sns_file("sns-reject.json", reject(virus))
    sns_file("sns-open.json", open_(bf, 12))
    sns_file("sns-click.json", click(bf, 14))
    tpl = Msg("ship-2", 9, 58.731, ["frank@outlook.com"], "Your order has shipped",
              tags=TRANSACTIONAL, source=TRANSACTIONAL_SOURCE, operation="SendTemplatedEmail")
    sns_file("sns-rendering-failure.json", rendering_failure(tpl))
    slow = Msg("bf-3", 10, 5.5, ["grace.lee@outlook.com"], BF_SUBJECT)
    sns_file("sns-delivery-delay.json", delivery_delay(slow, "grace.lee@outlook.com", 10))
    sns_file("sns-subscription.json", subscription(bf, 23))
    legacy = Msg("legacy-1", 16, 44.018, ["heidi@example.org", "ivan@example.org"],
                 "Password reset", tags={}, source=TRANSACTIONAL_SOURCE)
    sns_file("sns-notification-bounce.json", notification_bounce(legacy))

    # SQS, raw message delivery off: every body is an SNS envelope.
    m1 = Msg("sqs-1", 20, 1.25, ["judy@gmail.com", "ken@googlemail.com"], BF_SUBJECT)
    m2 = Msg("sqs-2", 20, 1.75, ["liam@outlook.com"], BF_SUBJECT)
    docs = [
        ("sqs-batch-1", send(m1)),
        ("sqs-batch-2", delivery(m1, ["judy@gmail.com", "ken@googlemail.com"], 2.3, 2288, "gmail")),
        ("sqs-batch-3", hard_bounce(m2, 0.9)),
    ]
    records = []
    for name, doc in docs:
        t = event_time(doc)
        records.append(sqs_record(name, sns_body(name, compact(doc), t), t))
    # A body cut short (a broken producer or a hand-edited message): the record must be retried
    # alone, not lose the batch.
    t = ts(20, 9.0)
    whole = sns_body("sqs-batch-4", compact(send(Msg("sqs-4", 20, 8.5, ["mia@yahoo.com"], "Hello"))), t)
    records.insert(2, sqs_record("sqs-batch-4", whole[:300], t, receive_count=3))
    files["sqs-batch.json"] = {"Records": records}

    # SQS, raw message delivery on: every body is the SES JSON itself. The first message a new
    # event destination publishes is SES's plain-text validation notice.
    m3 = Msg("raw-1", 30, 0.5, ["noah@yahoo.com"], BF_SUBJECT)
    m4 = Msg("raw-2", 30, 0.9, ["olivia@gmail.com"], BF_SUBJECT)
    m5 = Msg("raw-3", 30, 1.3, ["pat@aol.com"], BF_SUBJECT)
    raw = [("sqs-raw-0", "Successfully validated SNS topic for Amazon SES event publishing.", ts(29, 0.0))]
    for name, doc in [("sqs-raw-1", delivery(m3, ["noah@yahoo.com"], 3.1, 3120, "yahoo")),
                      ("sqs-raw-2", open_(m4, 6)),
                      ("sqs-raw-3", soft_bounce(m5, "pat@aol.com", "yahoo", 9.0))]:
        raw.append((name, compact(doc), event_time(doc)))
    files["sqs-raw-batch.json"] = {"Records": [sqs_record(n, b, t, queue=RAW_QUEUE) for n, b, t in raw]}

    # The dead-letter queue, replayed. ses-events failed on an SNS event in all three attempts
    # (CloudWatch throttling beyond the SDK's retries), and the on-failure destination kept the
    # invocation record: replaying it (`--event`, `aws lambda invoke`) counts the event inside.
    throttled = "CloudWatch PutMetricData failed: Throttling: Rate exceeded"
    late = Msg("dlq-1", 45, 0.5, ["anna.schmidt@gmx.de"], BF_SUBJECT)
    doc = hard_bounce(late, 1.1)
    t = event_time(doc)
    failed = sns_event("dlq-1", compact(doc), t)
    files["dlq-invocation-record.json"] = invocation_record("dlq-1", failed, t + timedelta(minutes=3), throttled)
    # EventsDelivery=sqs: the dead-letter queue redriven into the events queue. It holds three
    # kinds of message: an on-failure invocation record (from a time the stack ran with the SNS
    # trigger), an SNS event saved whole (a function dead-letter queue), an SNS envelope (SNS's
    # own redrive of a delivery it could not make). Each is counted.
    m6 = Msg("dlq-2", 46, 2.0, ["ben@web.de"], BF_SUBJECT)
    m7 = Msg("dlq-3", 46, 3.0, ["clara@t-online.de"], BF_SUBJECT)
    m8 = Msg("dlq-4", 46, 4.0, ["dan@gmail.com"], BF_SUBJECT)
    d6, d7, d8 = (hard_bounce(m6, 0.8), complaint(m7, "clara@t-online.de", 5),
                  delivery(m8, ["dan@gmail.com"], 1.4, 1388, "gmail"))
    t6, t7, t8 = event_time(d6), event_time(d7), event_time(d8)
    redriven = [
        sqs_record("dlq-r1", compact(invocation_record(
            "dlq-r1", sns_event("dlq-r1", compact(d6), t6), t6 + timedelta(minutes=3), throttled)),
            t6 + timedelta(minutes=3), receive_count=1),
        sqs_record("dlq-r2", compact(sns_event("dlq-r2", compact(d7), t7)), t7 + timedelta(minutes=3)),
        sqs_record("dlq-r3", sns_body("dlq-r3", compact(d8), t8), t8 + timedelta(minutes=1)),
    ]
    files["sqs-dlq-redrive.json"] = {"Records": redriven}

    # SNS, Message truncated in the middle of the SES JSON.
    broken = Msg("broken-1", 35, 2.0, ["peggy@gmail.com"], BF_SUBJECT)
    text = compact(delivery(broken, ["peggy@gmail.com"], 1.2, 1210, "gmail"))
    files["sns-broken-message.json"] = sns_event("sns-broken-message.json", text[:700], ts(35, 3.6))
    # SNS, plain text: someone used "Publish message" in the console on the events topic.
    files["sns-plaintext.json"] = sns_event(
        "sns-plaintext.json", "Test message from the console, please ignore.", ts(36, 0.0))
    return files


def backfill():
    """~20 raw SES events, one per line, as a Firehose → S3 archive holds them."""
    a = Msg("bk-1", 40, 0.101, ["quinn@gmail.com", "rose@yahoo.com"], BF_SUBJECT)
    b = Msg("bk-2", 40, 0.202, ["sam@outlook.com"], BF_SUBJECT)
    c = Msg("bk-3", 40, 0.303, ["tina@example.org"], BF_SUBJECT)
    d = Msg("bk-4", 40, 1.404, ["bounce@simulator.amazonses.com"], "Your order #48377 has shipped",
            tags=TRANSACTIONAL, source=TRANSACTIONAL_SOURCE)
    e = Msg("bk-5", 41, 0.505, ["uma@hotmail.com"], BF_SUBJECT)
    f = Msg("bk-6", 41, 0.606, ["victor@gmail.com", "wendy@gmail.com"], BF_SUBJECT)
    g = Msg("bk-7", 41, 0.707, ["xavier@aol.com"], BF_SUBJECT)
    i = Msg("bk-8", 42, 3.808, ["yara@example.net"], "Invoice 2026-1188", tags=TRANSACTIONAL,
            source=TRANSACTIONAL_SOURCE, operation="SendRawEmail")
    j = Msg("bk-9", 42, 5.909, ["zoe@outlook.com"], "Your order has shipped", tags=TRANSACTIONAL,
            source=TRANSACTIONAL_SOURCE, operation="SendTemplatedEmail")
    events = [
        send(a), send(b), send(c), send(d), send(e), send(f), send(g),
        delivery(a, ["quinn@gmail.com"], 1.1, 1104, "gmail"),
        delivery(a, ["rose@yahoo.com"], 2.6, 2610, "yahoo"),
        delivery(b, ["sam@outlook.com"], 1.5, 1530, "microsoft"),
        delivery(c, ["tina@example.org"], 0.6, 640, "other"),
        delivery(f, ["victor@gmail.com", "wendy@gmail.com"], 1.1, 1104, "gmail"),
        hard_bounce(d),
        soft_bounce(g, "xavier@aol.com", "yahoo", 5.0),
        delivery_delay(e, "uma@hotmail.com", 10),
        open_(a, 8),
        click(a, 9),
        complaint(a, "rose@yahoo.com", 30),
        subscription(c, 12),
        reject(i),
        rendering_failure(j),
    ]
    events.sort(key=event_time)
    return "".join(compact(ev) + "\n" for ev in events)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "events"
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in samples().items():
        (out / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "backfill.jsonl").write_text(backfill(), encoding="utf-8")


if __name__ == "__main__":
    main()
