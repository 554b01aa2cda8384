//! EC2's requests and answers, on bodies shaped as EC2 sends them.

use super::*;

const DESCRIBE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement><availabilityZone>eu-west-1c</availabilityZone></placement>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <ipAddress>54.194.252.215</ipAddress>
                    <tagSet>
                        <item><key>Name</key><value>group-a</value></item>
                        <item><key>aws-login:group</key><value>group-a</value></item>
                    </tagSet>
                    <networkInterfaceSet><item><privateIpAddress>192.168.1.88</privateIpAddress></item></networkInterfaceSet>
                </item>
                <item>
                    <instanceId>i-0598c7d356eba48d7</instanceId>
                    <instanceState><code>48</code><name>terminated</name></instanceState>
                    <stateReason><code>Server.SpotInstanceTermination</code><message>Server.InternalError: boom</message></stateReason>
                    <instanceType>t2.micro</instanceType>
                    <tagSet/>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
    <nextToken>page-2</nextToken>
</DescribeInstancesResponse>"#;

#[test]
fn list_parameters_are_numbered_from_one() {
    let req = RunInstances {
        image_id: "ami-1".into(),
        instance_type: "t3.micro".into(),
        count: 3,
        user_data: Some("ZWNobyBoaQ==".into()),
        key_name: Some("k".into()),
        security_group_ids: vec!["sg-1".into(), "sg-2".into()],
        subnet_id: None,
        instance_profile: Some(InstanceProfile::Name("web".into())),
        tags: vec![
            ("Name".into(), "g".into()),
            ("aws-login:group".into(), "g".into()),
        ],
        client_token: "tok-1".into(),
        dry_run: true,
    };
    assert_eq!(
        run_instances_form(&req).as_str(),
        "Action=RunInstances&Version=2016-11-15&ImageId=ami-1&InstanceType=t3.micro&MinCount=3&MaxCount=3&ClientToken=tok-1&UserData=ZWNobyBoaQ%3D%3D&KeyName=k&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2&IamInstanceProfile.Name=web&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=g&TagSpecification.1.Tag.2.Key=aws-login%3Agroup&TagSpecification.1.Tag.2.Value=g&TagSpecification.2.ResourceType=volume&TagSpecification.2.Tag.1.Key=Name&TagSpecification.2.Tag.1.Value=g&TagSpecification.2.Tag.2.Key=aws-login%3Agroup&TagSpecification.2.Tag.2.Value=g&DryRun=true"
    );
    let describe = DescribeInstances {
        filters: vec![
            ("tag:aws-login:group".into(), vec!["g".into()]),
            (
                "instance-state-name".into(),
                vec!["pending".into(), "running".into()],
            ),
        ],
        max_results: Some(5),
        ..DescribeInstances::default()
    };
    assert_eq!(
        describe_instances_form(&describe, Some("t/2")).as_str(),
        "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Aaws-login%3Agroup&Filter.1.Value.1=g&Filter.2.Name=instance-state-name&Filter.2.Value.1=pending&Filter.2.Value.2=running&MaxResults=5&NextToken=t%2F2"
    );
    assert_eq!(
        terminate_instances_form(&["i-1".into(), "i-2".into()], false).as_str(),
        "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2"
    );
}

#[test]
fn instances_and_their_pages_are_read() {
    let (instances, next) = parse_instances(200, DESCRIBE.as_bytes()).unwrap();
    assert_eq!(next.as_deref(), Some("page-2"));
    assert_eq!(instances.len(), 2);
    let first = &instances[0];
    assert_eq!(first.instance_id, "i-1234567890abcdef0");
    assert_eq!(first.state, "running");
    assert_eq!(first.availability_zone, "eu-west-1c");
    assert_eq!(first.private_ip.as_deref(), Some("192.168.1.88"));
    assert_eq!(first.public_ip.as_deref(), Some("54.194.252.215"));
    assert_eq!(first.tag("aws-login:group"), Some("group-a"));
    assert_eq!(
        instances[1].state_reason.as_deref(),
        Some("Server.InternalError: boom")
    );
    assert!(instances[1].tags.is_empty());
}

#[test]
fn errors_state_changes_attributes_and_any_answer_as_json() {
    let error = br#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. Encoded authorization failure message: AbC-123_xyz</Message></Error></Errors><RequestID>req-9</RequestID></Response>"#;
    let err = parse_instances(403, error).unwrap_err();
    let super::super::ResponseError::Aws(aws) = err else {
        panic!("{err:?}");
    };
    assert_eq!(aws.code, "UnauthorizedOperation");
    assert_eq!(aws.request_id.as_deref(), Some("req-9"));
    assert_eq!(
        encoded_authorization_message(&aws.message),
        Some("AbC-123_xyz")
    );
    assert_eq!(encoded_authorization_message("no message"), None);

    let terminate = br#"<TerminateInstancesResponse><requestId>r</requestId><instancesSet><item><instanceId>i-1</instanceId><currentState><code>32</code><name>shutting-down</name></currentState><previousState><code>16</code><name>running</name></previousState></item></instancesSet></TerminateInstancesResponse>"#;
    assert_eq!(
        parse_terminate(200, terminate).unwrap(),
        [StateChange {
            instance_id: "i-1".into(),
            previous: "running".into(),
            current: "shutting-down".into()
        }]
    );
    let attribute = br#"<DescribeInstanceAttributeResponse><requestId>r</requestId><instanceId>i-1</instanceId><userData><value>ZWNobyBoaQ==</value></userData></DescribeInstanceAttributeResponse>"#;
    assert_eq!(
        parse_instance_attribute(200, attribute).unwrap().as_deref(),
        Some("ZWNobyBoaQ==")
    );

    let json = xml_to_json(200, DESCRIBE.as_bytes()).unwrap();
    assert_eq!(
        json["reservationSet"][0]["instancesSet"][0]["tagSet"][1]["key"],
        "aws-login:group"
    );
    assert_eq!(
        json["reservationSet"][0]["instancesSet"][1]["tagSet"],
        serde_json::json!([])
    );
    assert_eq!(json["nextToken"], "page-2");
    assert!(xml_to_json(403, error).is_err());
    assert!(xml_to_json(200, b"<a><b></a>").is_err());
}

#[test]
fn images_are_read() {
    assert_eq!(
        describe_images_form(&["ami-1".into()]).as_str(),
        "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-1"
    );
    let body = br#"<DescribeImagesResponse><requestId>r</requestId><imagesSet><item><imageId>ami-1</imageId><imageLocation>amazon/al2023</imageLocation><imageState>available</imageState><architecture>x86_64</architecture><name>al2023-ami-2023.6</name><blockDeviceMapping><item><deviceName>/dev/xvda</deviceName></item></blockDeviceMapping></item></imagesSet></DescribeImagesResponse>"#;
    assert_eq!(
        parse_images(200, body).unwrap(),
        [Image {
            image_id: "ami-1".into(),
            name: "al2023-ami-2023.6".into(),
            state: "available".into(),
            architecture: "x86_64".into()
        }]
    );
}

#[test]
fn filter_values_match_exactly() {
    assert_eq!(exact("prod*"), "prod\\*");
    assert_eq!(exact("a?b\\c"), "a\\?b\\\\c");
    assert_eq!(exact("plain"), "plain");
}

#[test]
fn a_200_that_is_not_the_actions_answer_is_an_error() {
    // The fault matrix's find: an HTML page (a captive portal) was read as no instances.
    let html = b"<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>";
    assert!(parse_instances(200, html).is_err());
    assert!(parse_images(200, b"<DescribeInstancesResponse/>").is_err());
    assert!(parse_terminate(200, b"<html/>").is_err());
    assert!(parse_instance_attribute(200, b"<html><value>x</value></html>").is_err());
    let empty = b"<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><reservationSet/></DescribeInstancesResponse>";
    assert_eq!(parse_instances(200, empty).unwrap(), (vec![], None));
}
