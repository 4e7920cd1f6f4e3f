//! The payload samples of reference/ninjaone-api.md (real captures where the document says
//! so) deserialise into our models, and property tests prove that NinjaOne omitting any
//! field, or sending an enum value we have never seen, never fails deserialisation.

use ninjaone::models::*;
use proptest::prelude::*;
use serde_json::{json, Value};

/// `/v2/devices-detailed` element captured by KABUTO (ninjaone-api.md §4.3), trimmed there.
fn agent_device() -> Value {
    json!({"id":192,"organizationId":3,"locationId":4,"nodeClass":"WINDOWS_SERVER","nodeRoleId":1,
     "rolePolicyId":1,"approvalStatus":"APPROVED","offline":false,"systemName":"HYPERV1",
     "dnsName":"HyperV1.aad.example","created":1617029236.201,"lastContact":1620760142.95,
     "lastUpdate":1620760142,"ipAddresses":["192.168.30.77","fe80::dc87:d522:60ff:7e7"],
     "macAddresses":["08:60:6E:46:C7:4D"],"publicIP":"31.208.68.170",
     "os":{"manufacturer":"Microsoft Corporation","name":"Windows Server 2012 R2","architecture":"64-bit",
       "lastBootTime":1595941490,"buildNumber":"9600","releaseId":"","servicePackMajorVersion":0,
       "servicePackMinorVersion":0,"locale":"sv-SE","language":"Swedish","needsReboot":false},
     "system":{"name":"HYPERV1","manufacturer":"System manufacturer","model":"System Product Name",
       "biosSerialNumber":"System Serial Number","serialNumber":"Chassis Serial Number","domain":"BLUESCREEN",
       "domainRole":"Member Server","numberOfProcessors":1,"totalPhysicalMemory":34033238016_i64,
       "virtualMachine":false,"chassisType":"DESKTOP"},
     "memory":{"capacity":34033238016_i64},
     "processors":[{"architecture":"x64","maxClockSpeed":3392000000_i64,"clockSpeed":3392000000_i64,
       "name":"Intel(R) Core(TM) i5-3570K CPU @ 3.40GHz","numCores":4,"numLogicalCores":4}],
     "volumes":[{"name":"C:","label":"","deviceType":"Local Disk","fileSystem":"NTFS","autoMount":false,
       "compressed":false,"capacity":119479988224_i64,"freeSpace":47971688448_i64,"serialNumber":"E238E6DA"}],
     "lastLoggedInUser":"BLUESCREEN\\Administrator","deviceType":"AgentDevice"})
}

#[test]
fn captured_agent_device_keeps_every_documented_field() {
    let device: Device = serde_json::from_value(agent_device()).unwrap();
    assert_eq!(device.id, Some(192));
    assert_eq!(device.node_class, Some(NodeClass::WindowsServer));
    assert_eq!(device.approval_status, Some(ApprovalStatus::Approved));
    assert_eq!(
        device.created,
        Some(1617029236.201),
        "fractional epoch seconds survive"
    );
    assert_eq!(device.public_ip.as_deref(), Some("31.208.68.170"));
    let os = device.os.as_ref().unwrap();
    assert_eq!(os.name.as_deref(), Some("Windows Server 2012 R2"));
    assert_eq!(os.last_boot_time, Some(1595941490.0));
    let system = device.system.as_ref().unwrap();
    assert_eq!(system.total_physical_memory, Some(34033238016));
    assert_eq!(
        device.volumes.as_ref().unwrap()[0].capacity,
        Some(119479988224)
    );
    assert_eq!(device.processors.as_ref().unwrap()[0].num_cores, Some(4));
    assert_eq!(
        device.last_logged_in_user.as_deref(),
        Some("BLUESCREEN\\Administrator")
    );
    assert!(
        device.extra.is_empty(),
        "unexpected extras: {:?}",
        device.extra.keys()
    );
}

#[test]
fn unknown_fields_are_kept_and_serialised_back() {
    let mut raw = agent_device();
    raw["brandNewField"] = json!({"nested": [1, 2]});
    let device: Device = serde_json::from_value(raw).unwrap();
    assert_eq!(device.extra["brandNewField"], json!({"nested": [1, 2]}));
    let again = serde_json::to_value(&device).unwrap();
    assert_eq!(again["brandNewField"], json!({"nested": [1, 2]}));
    assert!(
        again.get("uid").is_none(),
        "absent fields stay absent, not null"
    );
}

#[test]
fn volume_with_bitlocker_report_row() {
    let row: Volume = serde_json::from_value(json!({"name":"C:","driveLetter":"C:","label":"","deviceType":"Local Disk","fileSystem":"NTFS",
     "autoMount":false,"compressed":false,"capacity":119479988224_i64,"freeSpace":47971688448_i64,
     "serialNumber":"E238E6DA",
     "bitLockerStatus":{"conversionStatus":"FULLY_ENCRYPTED","encryptionMethod":"XTS_AES_128",
       "protectionStatus":"PROTECTED","lockStatus":"UNLOCKED","initializedForProtection":true},
     "deviceId":192,"timestamp":1620760142.0}))
    .unwrap();
    let bl = row.bit_locker_status.unwrap();
    assert_eq!(
        bl.protection_status,
        Some(BitLockerProtectionStatus::Protected)
    );
    assert_eq!(
        bl.conversion_status,
        Some(BitLockerConversionStatus::FullyEncrypted)
    );
    assert_eq!(row.device_id, Some(192));
}

#[test]
fn report_rows_from_the_reference_deserialise() {
    let av: CursorPage<AntivirusStatus> = serde_json::from_value(json!({
        "cursor":{"name":"c1","offset":0,"count":1,"expires":1717000000.0},
        "results":[{"productName":"Windows Defender","productState":"ON","definitionStatus":"UP_TO_DATE",
          "version":"4.18.2104.14","deviceId":101,"timestamp":1717000000.0}]})).unwrap();
    assert_eq!(av.results[0].product_state.as_deref(), Some("ON"));
    assert_eq!(av.cursor.unwrap().count, Some(1));

    let patch: OsPatch = serde_json::from_value(json!({"id":"9b2f","name":"2024-05 Cumulative Update","severity":"CRITICAL","status":"FAILED",
     "type":"SECURITY_UPDATES","installedAt":1716000000.0,"kbNumber":"KB5037771","deviceId":192,"timestamp":1716000100.0})).unwrap();
    assert_eq!(patch.severity, Some(PatchSeverity::Critical));
    assert_eq!(patch.status, Some(PatchStatus::Failed));
    assert_eq!(patch.kind.as_deref(), Some("SECURITY_UPDATES"));

    let sw: SoftwarePatch = serde_json::from_value(json!({"id":"u","productIdentifier":"p","title":"Google Chrome 125","impact":"CRITICAL",
     "status":"APPROVED","type":"PATCH","installedAt":1716000000.0,"deviceId":7,"timestamp":1716000000.0})).unwrap();
    assert_eq!(sw.impact, Some(SoftwarePatchImpact::Critical));

    let job: BackupJob = serde_json::from_value(json!({"jobId":"uuid","jobStartTime":1716000000.0,"jobEndTime":1716000900.0,"jobStatus":"COMPLETED",
     "destination":"CLOUD","sourceJobId":"uuid","planGuid":"uuid","planName":"Daily image","planType":"IMAGE",
     "organizationId":12,"locationId":4,"deviceId":192,"upsyncJob":{"startTime":1.0,"status":"x"}})).unwrap();
    assert_eq!(job.job_status.as_deref(), Some("COMPLETED"));
    assert!(job.extra.contains_key("upsyncJob"));
}

#[test]
fn captured_webhook_and_activity_payloads_deserialise() {
    // KABUTO examples/condition-triggered.json (real capture).
    let triggered: Activity = serde_json::from_value(json!({"id":94140,"activityTime":1620722437,"deviceId":192,"seriesUid":"6fc7c3c0-f08c-4f0a-9efc-d113a7f81840",
     "activityType":"CONDITION","statusCode":"TRIGGERED","status":"Triggered",
     "sourceConfigUid":"58d49268-b0eb-4df8-bda3-742a09b76702","sourceName":"","subject":"",
     "message":"System has not rebooted for more than 30 days.",
     "type":"Condition","data":{"message":{"code":"agent_win_cond_sys_uptime",
       "params":{"reboot_days":"30","reboot_date":"2020-07-28 13:04:29"}}}})).unwrap();
    assert_eq!(triggered.activity_type, Some(ActivityType::Condition));
    assert_eq!(triggered.status_code.as_deref(), Some("TRIGGERED"));
    assert_eq!(triggered.severity, None, "conditions may omit severity");

    let page: ActivityPage = serde_json::from_value(json!({"lastActivityId":1391673,
     "activities":[{"id":1389097,"activityTime":1672740950,"deviceId":262,"severity":"MINOR",
       "priority":"LOW","activityType":"SYSTEM","statusCode":"NODE_CREATED","activityResult":"SUCCESS",
       "type":"System","data":{"message":{"code":"device_registered"}}}]})).unwrap();
    assert_eq!(page.activities[0].severity, Some(Severity::Minor));
    assert_eq!(
        page.activities[0].activity_result,
        Some(ActivityResult::Success)
    );

    let alerts: Vec<Alert> = serde_json::from_value(json!([{"uid":"6fc7c3c0","deviceId":192,"message":"m",
      "createTime":1620722437.0,"updateTime":1620722437.0,"sourceType":"CONDITION_SYSTEM_UPTIME",
      "sourceConfigUid":"58d49268","sourceName":"","subject":"","userId":0,"psaTicketId":null,
      "ticketTemplateId":0,"data":{"message":{"code":"agent_win_cond_sys_uptime"}},
      "device":{"id":192,"nodeClass":"WINDOWS_SERVER"},
      "priority":"NONE","severity":"MAJOR","conditionName":"Uptime","conditionHealthStatus":"NEEDS_ATTENTION",
      "useGlobalHealthStatus":true}])).unwrap();
    assert_eq!(alerts[0].severity, Some(Severity::Major));
    assert_eq!(alerts[0].device.as_ref().unwrap().id, Some(192));
}

#[test]
fn organization_detailed_sample_deserialises() {
    let org: Organization = serde_json::from_value(json!({"id":12,"name":"Acme Ltd","description":"…","userData":{},"nodeApprovalMode":"AUTOMATIC",
      "locations":[{"id":4,"name":"HQ","address":"…","description":"","userData":{}}],
      "policies":[{"nodeRoleId":31,"policyId":30}],
      "settings":{"trayicon":{"enabled":true},"backup":{"product":"…","enabled":true,"targets":[],"options":{}}}})).unwrap();
    assert_eq!(org.node_approval_mode, Some(NodeApprovalMode::Automatic));
    assert_eq!(org.locations.unwrap()[0].id, Some(4));
    assert_eq!(org.settings.unwrap()["backup"]["enabled"], json!(true));
}

/// Removes the keys selected by `mask` (one bit per key, in document order, recursively).
fn drop_keys(value: &mut Value, mask: &[bool], next: &mut usize) {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let drop = mask
                    .get(*next % mask.len().max(1))
                    .copied()
                    .unwrap_or(false);
                *next += 1;
                if drop {
                    map.remove(&key);
                } else if let Some(child) = map.get_mut(&key) {
                    drop_keys(child, mask, next);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| drop_keys(item, mask, next)),
        _ => {}
    }
}

proptest! {
    #[test]
    fn any_subset_of_device_fields_deserialises(mask in proptest::collection::vec(any::<bool>(), 1..80)) {
        let mut raw = agent_device();
        drop_keys(&mut raw, &mask, &mut 0);
        let parsed = serde_json::from_value::<Device>(raw.clone());
        prop_assert!(parsed.is_ok(), "{:?} for {}", parsed.err(), raw);
    }

    #[test]
    fn any_enum_text_is_kept(text in "[A-Z_]{1,30}") {
        let raw = json!({"nodeClass": text, "approvalStatus": text});
        let device: Device = serde_json::from_value(raw).unwrap();
        let class = device.node_class.unwrap();
        let approval = device.approval_status.unwrap();
        prop_assert_eq!(class.as_str(), text.as_str());
        prop_assert_eq!(approval.as_str(), text.as_str());
    }
}
