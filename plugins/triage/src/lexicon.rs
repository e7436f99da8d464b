//! The shipped lexicons and the trie they are compiled into for each run.
//!
//! Lists are `|`-separated. English entries are lowercase and match on word boundaries; a
//! trailing `*` matches any word that starts with the entry (`refund*`: refunds, refunded).
//! Chinese entries and emoji match as substrings. At any position the longest entry wins, so
//! `不满意` is one negative term rather than the negator `不` followed by the positive `满意`.
//! One entry may carry several facets (an intent and a sentiment, say) when it appears in
//! several lists.

use std::borrow::Cow;

use weft_plugin::prelude::*;

use crate::config::Config;
use crate::intent::Intent;
use crate::trie::Trie;

const REFUND: &str = "refund*|money back|my money|reimburs*|chargeback|charge back|return it|return the|return this|\
returned it|send it back|sent it back|cancel my order|cancel the order|cancel order|store credit|exchange|replacement|\
退款|退钱|退货|退费|退回|退还|返还|把钱退|钱退|退换|换货|补发|赔偿|赔付|取消订单|订单取消|无理由|原路返回|退给我|到账|没到账|未到账|还没到账|退款进度";

const BILLING: &str = "bill|bills|billing|billed|invoice*|charge|charges|charged|overcharg*|double charged|\
charged twice|payment*|pay|paid|paying|receipt*|subscription*|renewal|renew*|auto-renew*|price*|pricing|fee|fees|\
vat|tax|credit card|debit card|declined|discount|coupon|promo code|statement|balance|premium plan|annual plan|\
monthly plan|deducted|transaction*|wallet|top up|top-up|\
账单|发票|扣费|扣款|扣了|扣钱|多扣|重复扣|乱扣|收费|费用|付款|支付|缴费|充值|价格|计费|套餐|续费|自动续费|订阅|\
会员费|优惠券|优惠|折扣|金额|余额|信用卡|银行卡|开票|税|月费|年费|付费|收据|账款|划走|交易|钱包|多收";

const DELIVERY: &str = "deliver*|shipping|shipped|shipment*|ship|package*|parcel*|courier*|tracking|track*|\
arriv*|dispatch*|out for delivery|postman|mailman|ups|fedex|dhl|usps|where is my order|wrong address|\
delivery address|shipping address|in transit|lost in the mail|driver|doorstep|pick up point|pickup point|carrier|\
快递|物流|发货|配送|送货|收货|到货|没收到|还没到|没到|签收|派送|包裹|运单|单号|快递员|顺丰|中通|圆通|韵达|申通|\
邮政|送达|延误|丢件|运费|发出|在途|揽收|驿站|取件|骑手|送到|寄到|寄出|收件|快件|到了吗|什么时候到|催发|没有收到|未收到|还没收到|一直没收到|还没发货";

const ACCOUNT: &str = "account*|log in|login|log-in|logging in|logged out|sign in|signin|sign-in|password*|\
reset|username|user name|email address|verification code|verify|verification|2fa|two-factor|otp|locked|lock*|\
suspend*|banned|hacked|profile|deactivat*|delete my account|close my account|registration|register*|sign up|\
sign-up|phone number|security question|\
账号|账户|帐号|帐户|登录|登陆|登不上|登不进|密码|验证码|注册|实名|认证|绑定|解绑|换绑|手机号|邮箱|冻结|封号|被封|\
注销|找回|盗号|被盗|个人信息|头像|昵称|退出登录|用户名|改名";

const TECHNICAL: &str = "bug*|crash*|error*|not working|doesn't work|does not work|stopped working|won't load|\
wont load|broken|glitch*|freez*|froze|frozen|app|apps|website|webpage|page|loading|server*|timeout|timed out|404|\
install*|reinstall*|updated|updating|software update|app update|latest update|version|sync*|connect*|wifi|wi-fi|bluetooth|browser|ios|android|\
blank screen|black screen|white screen|screen|button|api|outage|is down|firmware|device|software|keeps closing|\
打不开|闪退|崩溃|卡顿|卡住|卡死|报错|错误|故障|出错|异常|白屏|黑屏|加载|刷新|网页|页面|网站|软件|系统|更新|升级|\
版本|安装|下载|连接|连不上|断线|掉线|网络|蓝牙|服务器|死机|重启|设备|电脑|按钮|功能|用不了|不能用|没反应|失灵|同步|\
接口|宕机|程序|客户端|显示不|无法使用";

const COMPLAINT: &str = "complain*|rude|unprofessional|terrible service|poor service|bad service|worst|\
manager|supervisor|unacceptable|disgrace*|attitude|ignored|ignoring|nobody replied|no one replied|no response|\
nobody answered|no one answered|waste of time|never again|scam*|lawyer|report you|consumer protection|\
one star|1 star|1-star|trustpilot|your support|your staff|your agent|hung up|\
投诉|态度|服务态度|不专业|敷衍|踢皮球|没人理|没人回复|不回复|不理|差评|曝光|消协|12315|315|工商|维权|骗子|\
欺骗|忽悠|服务差|服务太差|经理|主管|领导|不负责|推卸|推脱|说法|挂电话|挂断|处理态度|一直拖|拖着";

const NEGATIVE_EMOTION: &str = "angry|anger|furious|mad|livid|outraged|outrageous|upset|disappointed|\
disappointing|disappointment|frustrated|frustrating|frustration|annoyed|annoying|fed up|sick of|tired of|hate|\
hated|terrible|horrible|awful|worst|disgusted|disgusting|pathetic|ridiculous|unacceptable|useless|appalled|\
appalling|shocking|unhappy|scam*|joke|nightmare|incompetent|\
愤怒|生气|气愤|气死|恼火|失望|不满|不满意|太差|很差|差劲|垃圾|恶心|无语|郁闷|烦死|受够|气人|火大|糟糕|糟透|离谱|\
过分|坑人|心累|痛苦|难受|伤心|后悔|不爽|忍无可忍|欺人太甚|可恶|抓狂|无法接受|不能接受|太烂|骗子|\
😡|😠|🤬|😤|😞|😢|😭|😩|😫|👎|💢|😒|🙄|☹|🙁|😣|😖|😾|💩";

const NEGATIVE: &str = "bad|poor|slow|wrong|failed|fail|fails|failure|late|missing|lost|damaged|defective|\
still waiting|yet again|once again|again and again|not acceptable|\
不好|不行|不对|差|差评|太慢|很慢|错了|坏了|没用|失败|损坏|破损|丢了|迟迟|一直没|又|还是没|怎么回事|搞什么";

const POSITIVE_EMOTION: &str = "happy|glad|pleased|satisfied|delighted|love|loved|grateful|\
满意|开心|高兴|喜欢|感激|放心";

const POSITIVE: &str = "great|excellent|awesome|amazing|perfect|wonderful|fantastic|brilliant|\
thank you so much|thanks so much|thanks a lot|many thanks|really appreciate|much appreciated|\
非常感谢|太感谢|十分感谢|万分感谢|很好|非常好|太好了|挺好|不错|给力|点赞|好评|完美|棒|赞|\
😊|🙂|😀|😃|😄|😁|👍|❤|😍|🥰|🎉|💯|👏";

const POSITIVE_WEAK: &str = "thanks|thank you|thx|appreciate*|good|nice|helpful|quick|fast|resolved|solved|fixed|\
works now|working now|friendly|\
谢谢|感谢|多谢|辛苦了|专业|及时|耐心|贴心|顺利|解决了|已解决|好用|热情";

const URGENCY: &str = "urgent|urgently|asap|a.s.a.p|immediately|right away|right now|emergency|\
as soon as possible|critical|time-sensitive|time sensitive|hurry|deadline|top priority|\
紧急|很急|急用|着急|加急|急|急需|马上|立刻|立即|尽快|赶紧|十万火急|火速|刻不容缓|今天之内|今天必须|等不了|🚨|‼";

const NEGATORS: &str = "not|no|never|don't|dont|doesn't|doesnt|didn't|didnt|isn't|isnt|wasn't|wasnt|aren't|\
weren't|can't|cant|cannot|couldn't|won't|wouldn't|haven't|hasn't|hadn't|nothing|neither|nor|hardly|barely|without|\
不|没|没有|未|无|别|并不|并没有|不是|不太|不怎么|一点也不|毫不|从未|从来没有";

/// Entries that only stop a shorter entry from matching inside them (`不过` is "but", not a
/// negation; `不好意思` is "excuse me").
const NEUTRAL: &str = "no problem|no worries|not sure|\
不过|不用|不仅|不久|不少|不断|不管|不论|不知道|差不多|不好意思|没关系|无论|别人|别的|未来|急救|出差|差点";

/// Weights: one clear term is worth 1; hedged evaluative words and everyday courtesy ("thanks")
/// count less, so a polite but unhappy message is not scored positive.
const STRONG: f64 = 1.0;
const MILD: f64 = 0.4;
const COURTESY: f64 = 0.2;

/// About how many characters the shipped entries have, to size the trie once.
const SHIPPED_CHARS: usize = 6000;

/// What a lexicon entry means. Entries with no facet only shield their substrings.
#[derive(Clone, Debug, Default)]
pub struct Term {
    /// As the scanner compares it: lowercase, single spaces, without the trailing `*`.
    pub text: Cow<'static, str>,
    pub intent: Option<Intent>,
    /// Below 0 negative, above 0 positive.
    pub polarity: f64,
    /// Counts toward `negative_share` (when negative, or when a negated positive emotion).
    pub emotion: bool,
    pub urgency: bool,
    pub negator: bool,
    /// Matches the start of a longer word.
    pub prefix: bool,
    /// Ends in an ASCII letter or digit, so the next character must not be one.
    pub needs_boundary: bool,
    /// Words (English) plus characters (Chinese) it spans, for the negation window.
    pub units: u32,
}

pub struct Lexicon {
    pub terms: Vec<Term>,
    pub trie: Trie,
    pub min_intent_score: f64,
    pub urgency_min_terms: u32,
}

impl Lexicon {
    pub fn build(config: &Config) -> Result<Lexicon, StepError> {
        let extra = config.validated_extra_terms()?;
        let mut lexicon = Lexicon {
            terms: Vec::new(),
            trie: Trie::with_capacity(SHIPPED_CHARS),
            min_intent_score: config.min_intent_score,
            urgency_min_terms: config.urgency_min_terms,
        };
        for (intent, list) in [
            (Intent::Refund, REFUND),
            (Intent::Billing, BILLING),
            (Intent::Delivery, DELIVERY),
            (Intent::Account, ACCOUNT),
            (Intent::Technical, TECHNICAL),
            (Intent::Complaint, COMPLAINT),
        ] {
            lexicon.add_all(list, |term| term.intent = Some(intent));
        }
        lexicon.add_all(NEGATIVE_EMOTION, |term| {
            term.polarity = -STRONG;
            term.emotion = true;
        });
        lexicon.add_all(NEGATIVE, |term| term.polarity = -MILD);
        lexicon.add_all(POSITIVE_EMOTION, |term| {
            term.polarity = STRONG;
            term.emotion = true;
        });
        lexicon.add_all(POSITIVE, |term| term.polarity = STRONG);
        lexicon.add_all(POSITIVE_WEAK, |term| term.polarity = COURTESY);
        lexicon.add_all(URGENCY, |term| term.urgency = true);
        lexicon.add_all(NEGATORS, |term| term.negator = true);
        lexicon.add_all(NEUTRAL, |_| {});
        // The operator's terms come last, so they add facets to shipped entries of the same text.
        for (intent, text) in extra {
            lexicon.add_configured(text, |term| term.intent = Some(intent));
        }
        for text in &config.extra_urgency_terms {
            lexicon.add_configured(text, |term| term.urgency = true);
        }
        for text in &config.extra_negative_terms {
            lexicon.add_configured(text, |term| {
                term.polarity = -STRONG;
                term.emotion = true;
            });
        }
        Ok(lexicon)
    }

    fn add_all(&mut self, list: &'static str, facet: impl Fn(&mut Term)) {
        // The shipped lists are already lowercase with single spaces (a test checks it).
        for entry in list.split('|') {
            let (text, prefix) = split_prefix(entry);
            self.add(Cow::Borrowed(text), prefix, &facet);
        }
    }

    fn add_configured(&mut self, entry: &str, facet: impl Fn(&mut Term)) {
        let (text, prefix) = split_prefix(entry.trim());
        let text = text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
        self.add(Cow::Owned(text), prefix, facet);
    }

    fn add(&mut self, text: Cow<'static, str>, prefix: bool, facet: impl Fn(&mut Term)) {
        if text.is_empty() {
            return;
        }
        let (id, new) = self.trie.get_or_insert(&text, self.terms.len() as u32);
        if new {
            self.terms.push(Term {
                needs_boundary: text.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric),
                units: count_units(&text),
                text,
                ..Term::default()
            });
        }
        let term = &mut self.terms[id as usize];
        term.prefix |= prefix;
        facet(term);
    }
}

/// Splits off the trailing `*` that marks a prefix entry.
fn split_prefix(entry: &str) -> (&str, bool) {
    match entry.strip_suffix('*') {
        Some(stem) => (stem.trim_end(), true),
        None => (entry, false),
    }
}

fn count_units(text: &str) -> u32 {
    let mut units = 0;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if !in_word {
                units += 1;
            }
            in_word = true;
        } else {
            in_word = false;
            if !c.is_ascii() && !c.is_whitespace() {
                units += 1;
            }
        }
    }
    units.max(1)
}
