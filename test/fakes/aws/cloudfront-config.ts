import type { XmlNode } from './xml.js';

/** CloudFront's XML names each list member after its type (`Aliases.Items` holds `<CNAME>`s), keyed here by the list's element. */
const MEMBERS: Record<string, string> = {
  Aliases: 'CNAME',
  Origins: 'Origin',
  CustomHeaders: 'OriginCustomHeader',
  OriginSslProtocols: 'SslProtocol',
  OriginGroups: 'OriginGroup',
  Members: 'OriginGroupMember',
  StatusCodes: 'StatusCode',
  CacheBehaviors: 'CacheBehavior',
  AllowedMethods: 'Method',
  CachedMethods: 'Method',
  TrustedSigners: 'AwsAccountNumber',
  TrustedKeyGroups: 'KeyGroup',
  LambdaFunctionAssociations: 'LambdaFunctionAssociation',
  FunctionAssociations: 'FunctionAssociation',
  Headers: 'Name',
  WhitelistedNames: 'Name',
  QueryStringCacheKeys: 'Name',
  CustomErrorResponses: 'CustomErrorResponse',
  GeoRestriction: 'Location',
};

function element(name: string, value: unknown, parent: string): XmlNode {
  if (Array.isArray(value)) {
    const member = MEMBERS[parent];
    if (!member) throw new Error(`fake CloudFront: no XML member name for ${parent}.${name}; add it to MEMBERS`);
    return { name, children: value.map((v) => element(member, v, name)), text: '' };
  }
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return { name, children: fields.map(([k, v]) => element(k, v, name)), text: '' };
  }
  return { name, children: [], text: String(value) };
}

/** A DistributionConfig as `aws cloudfront get-distribution-config` prints it (JSON) → the XML element CloudFront keeps. */
export function distributionConfigNode(config: Record<string, unknown>): XmlNode {
  return element('DistributionConfig', config, '');
}

/** A small valid DistributionConfig: one custom origin behind the default behavior. */
export function minimalDistributionConfig(callerReference: string): Record<string, unknown> {
  return {
    CallerReference: callerReference,
    Aliases: { Quantity: 0 },
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 'origin',
          DomainName: 'origin.example.com',
          OriginPath: '',
          CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
        },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: 'origin', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
    Comment: '',
    PriceClass: 'PriceClass_All',
    Enabled: true,
  };
}
