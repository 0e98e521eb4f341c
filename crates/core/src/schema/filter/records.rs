//! Records as `test-filter` reads them, and as Lambda decodes them before it filters: the
//! base64 `data` of Kinesis and Amazon MQ, the base64 `value` of Kafka and MSK (UTF-8, then
//! JSON when it parses), the SQS `body` (JSON when it parses, else text), the DynamoDB record as
//! it is (its images keep their type descriptors).
//!
//! A file holds an event as Lambda delivers it (`Records`, Kafka's `records` map, ActiveMQ's
//! `messages`, RabbitMQ's `rmqMessagesByQueue`), one record of it, or the decoded payload alone
//! (for DynamoDB, the `dynamodb` object), the way a user copies them from a log.

use super::json::{parse, Json, JsonValue, Member};
use super::FilterSource;
use streaming_events_yaml::Span;

/// What Lambda sees of the record's data key after decoding it.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Json(Json),
    /// Decoded text that is not JSON.
    Text(String),
    /// Bytes that are not UTF-8 (Kafka, MSK and Amazon MQ messages must be).
    NotUtf8,
}

/// One record, ready to be matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The fields Lambda filters on beside the data key (DynamoDB's metadata and `dynamodb`,
    /// SQS's message metadata); empty for the sources that filter on the data key only.
    pub fields: Vec<Member>,
    /// The decoded data key (`data`, `value`, `body`); `None` for DynamoDB, whose `dynamodb`
    /// is one of `fields`.
    pub payload: Option<Payload>,
    pub span: Span,
}

/// A file's content that is not a record of the source: what is wrong, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub message: String,
    pub span: Span,
}

fn error(message: impl Into<String>, at: &Json) -> RecordError {
    RecordError {
        message: message.into(),
        span: at.span,
    }
}

/// The records of one document, in order.
pub fn records(doc: &Json, source: FilterSource) -> Result<Vec<Record>, RecordError> {
    let items = match source {
        FilterSource::DynamoDb | FilterSource::Kinesis | FilterSource::Sqs => list(doc, "Records")?,
        FilterSource::Kafka => match doc.get("records") {
            Some(map) => grouped(map, "records")?,
            None if is_topic_map(doc) => grouped(doc, "the topic-partition map")?,
            None => None,
        },
        FilterSource::AmazonMq => match (doc.get("messages"), doc.get("rmqMessagesByQueue")) {
            (Some(_), _) => list(doc, "messages")?,
            (None, Some(map)) => grouped(map, "rmqMessagesByQueue")?,
            (None, None) => None,
        },
    };
    match items {
        Some(items) => items
            .iter()
            .map(|item| record(item, source, true))
            .collect(),
        None => Ok(vec![record(doc, source, false)?]),
    }
}

/// `doc[key]`, a list of records, when the document is an event.
fn list<'a>(doc: &'a Json, key: &str) -> Result<Option<Vec<&'a Json>>, RecordError> {
    match doc.get(key) {
        None => Ok(None),
        Some(value) => match value.as_array() {
            Some(items) => Ok(Some(items.iter().collect())),
            None => Err(error(format!("`{key}` must be a list of records"), value)),
        },
    }
}

/// The records of a map of lists (Kafka's topic partitions, RabbitMQ's queues), in order.
fn grouped<'a>(map: &'a Json, name: &str) -> Result<Option<Vec<&'a Json>>, RecordError> {
    let Some(members) = map.members() else {
        return Err(error(
            format!("{name} must map names to lists of records"),
            map,
        ));
    };
    let mut out = Vec::new();
    for member in members {
        match member.value.as_array() {
            Some(items) => out.extend(items.iter()),
            None => {
                return Err(error(
                    format!("`{}` must be a list of records", member.key),
                    &member.value,
                ))
            }
        }
    }
    Ok(Some(out))
}

/// `{"mytopic-0": [{…, "value": …}]}`: the shape the Kafka filtering page shows.
fn is_topic_map(doc: &Json) -> bool {
    doc.members().is_some_and(|members| {
        !members.is_empty()
            && members.iter().all(|m| {
                m.value.as_array().is_some_and(|items| {
                    !items.is_empty() && items.iter().all(|i| i.get("value").is_some())
                })
            })
    })
}

/// One record, or (outside an event's list) the decoded payload alone.
fn record(item: &Json, source: FilterSource, in_list: bool) -> Result<Record, RecordError> {
    let is_record = |keys: &[&str]| {
        item.get(source.data_key()).is_some() && keys.iter().any(|k| item.get(k).is_some())
    };
    let with_payload = |record: &Json, name: &str| -> Result<Record, RecordError> {
        Ok(Record {
            fields: Vec::new(),
            payload: Some(raw(record, source, name)?),
            span: item.span,
        })
    };
    match source {
        FilterSource::DynamoDb => dynamodb(item, in_list),
        FilterSource::Kinesis => match item.get("kinesis") {
            Some(kinesis) => with_payload(kinesis, "Kinesis record"),
            None if is_record(&["partitionKey", "sequenceNumber"]) => {
                with_payload(item, "Kinesis record")
            }
            None if in_list => Err(error(
                "a Kinesis record has `kinesis` (with its base64 `data`)",
                item,
            )),
            None => Ok(decoded(item)),
        },
        FilterSource::Sqs if in_list || is_record(&["messageId", "receiptHandle"]) => sqs(item),
        FilterSource::Kafka if in_list || is_record(&["topic", "partition", "offset"]) => {
            with_payload(item, "Kafka record")
        }
        FilterSource::AmazonMq
            if in_list
                || is_record(&["messageID", "messageType", "basicProperties", "destination"]) =>
        {
            with_payload(item, "Amazon MQ message")
        }
        FilterSource::Sqs | FilterSource::Kafka | FilterSource::AmazonMq => Ok(decoded(item)),
    }
}

/// The base64 data key of a Kinesis, Kafka or Amazon MQ record, decoded.
fn raw(record: &Json, source: FilterSource, name: &str) -> Result<Payload, RecordError> {
    let data_key = source.data_key();
    match record.get(data_key) {
        Some(
            value @ Json {
                value: JsonValue::String(text),
                ..
            },
        ) => decode(text).ok_or_else(|| {
            error(
                format!("`{data_key}` of a {name} is base64 as Lambda delivers it, and this is not base64"),
                value,
            )
        }),
        Some(other) => Err(error(
            format!("`{data_key}` of a {name} is a base64 string"),
            other,
        )),
        None => Err(error(format!("a {name} has `{data_key}`"), record)),
    }
}

/// A DynamoDB record (its fields as they are), or its `dynamodb` object alone.
fn dynamodb(item: &Json, in_list: bool) -> Result<Record, RecordError> {
    let fields = if item.get("dynamodb").is_some() {
        item.members().unwrap_or_default().to_vec()
    } else if !in_list
        && ["Keys", "NewImage", "OldImage"]
            .iter()
            .any(|k| item.get(k).is_some())
    {
        vec![Member {
            key: "dynamodb".into(),
            key_span: item.span,
            value: item.clone(),
        }]
    } else {
        return Err(error("expected a DynamoDB stream event (`Records`), a record (with `dynamodb`), or its `dynamodb` object (with `Keys`, `NewImage` or `OldImage`)", item));
    };
    Ok(Record {
        fields,
        payload: None,
        span: item.span,
    })
}

/// An SQS message: its metadata, and its `body` (JSON when it parses).
fn sqs(item: &Json) -> Result<Record, RecordError> {
    let fields = item
        .members()
        .unwrap_or_default()
        .iter()
        .filter(|m| m.key != "body")
        .cloned()
        .collect();
    let body = match item.get("body") {
        Some(Json {
            value: JsonValue::String(text),
            ..
        }) => text_payload(text),
        Some(other) => return Err(error("`body` of an SQS message is a string", other)),
        None => return Err(error("an SQS message has `body`", item)),
    };
    Ok(Record {
        fields,
        payload: Some(body),
        span: item.span,
    })
}

/// A decoded payload given alone: a JSON string stands for plain text.
fn decoded(doc: &Json) -> Record {
    let payload = match &doc.value {
        JsonValue::String(text) => Payload::Text(text.clone()),
        _ => Payload::Json(doc.clone()),
    };
    Record {
        fields: Vec::new(),
        payload: Some(payload),
        span: doc.span,
    }
}

/// Text Lambda parses as JSON when it can.
fn text_payload(text: &str) -> Payload {
    match parse(text, u32::MAX) {
        Ok(json) => Payload::Json(json),
        Err(_) => Payload::Text(text.to_string()),
    }
}

/// Base64 → bytes → UTF-8 → JSON when it parses; `None` when the text is not base64.
fn decode(text: &str) -> Option<Payload> {
    let bytes = base64(text)?;
    Some(match String::from_utf8(bytes) {
        Ok(text) => text_payload(&text),
        Err(_) => Payload::NotUtf8,
    })
}

/// Standard base64 (RFC 4648 §4) with its padding, as Lambda writes it.
pub fn base64(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if padding > 2 || (padding > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &b in &chunk[..4 - padding] {
            n = (n << 6) | value(b)?;
        }
        n <<= 6 * padding as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}
