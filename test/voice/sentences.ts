/**
 * The voice tier's sentences: each text as a client sends it, and how a person reads it aloud
 * (`spoken`, written by hand, never by this project's normalizer, so a misreading cannot hide
 * behind the same misreading on both sides). They cover numbers, dates, times, money,
 * percentages, abbreviations, polyphones (多音字, heteronyms), questions and exclamations.
 */
export interface VoiceCase {
  text: string;
  spoken: string;
}

export const EN: VoiceCase[] = [
  {
    text: 'The meeting starts at 9:30 tomorrow morning.',
    spoken: 'the meeting starts at nine thirty tomorrow morning',
  },
  { text: 'I paid $42.50 for two tickets.', spoken: 'i paid forty two dollars and fifty cents for two tickets' },
  { text: 'Our sales grew by 15% last year.', spoken: 'our sales grew by fifteen percent last year' },
  { text: 'She was born on March 3, 1998.', spoken: 'she was born on march third nineteen ninety eight' },
  {
    text: 'Dr. Smith lives on Baker St. near the station.',
    spoken: 'doctor smith lives on baker street near the station',
  },
  { text: 'Can you send me the report by Friday?', spoken: 'can you send me the report by friday' },
  {
    text: 'The package weighs 3.5 kg and costs about 20 euros.',
    spoken: 'the package weighs three point five kilograms and costs about twenty euros',
  },
  { text: 'Please call me back at 555-0123.', spoken: 'please call me back at five five five zero one two three' },
  { text: 'We need to record the song before we leave.', spoken: 'we need to record the song before we leave' },
  { text: 'What a wonderful surprise this is!', spoken: 'what a wonderful surprise this is' },
  {
    text: 'The population reached 1,250,000 in 2020.',
    spoken: 'the population reached one million two hundred fifty thousand in twenty twenty',
  },
  {
    text: 'He finished 2nd in the race and got a silver medal.',
    spoken: 'he finished second in the race and got a silver medal',
  },
  { text: 'Have you ever been to New York or Los Angeles?', spoken: 'have you ever been to new york or los angeles' },
  { text: 'The train leaves at 6 p.m. from platform 4.', spoken: 'the train leaves at six p m from platform four' },
  {
    text: 'The temperature dropped to minus 5 degrees last night.',
    spoken: 'the temperature dropped to minus five degrees last night',
  },
  { text: 'I read that book when I was twelve.', spoken: 'i read that book when i was twelve' },
  {
    text: 'The company hired 300 new employees this quarter.',
    spoken: 'the company hired three hundred new employees this quarter',
  },
  { text: 'Why did the computer stop working again?', spoken: 'why did the computer stop working again' },
  { text: 'Our flight was delayed by 45 minutes.', spoken: 'our flight was delayed by forty five minutes' },
  { text: 'Is it going to rain this weekend?', spoken: 'is it going to rain this weekend' },
];

export const ZH: VoiceCase[] = [
  { text: '今天天气很好，我们一起去公园散步吧。', spoken: '今天天气很好我们一起去公园散步吧' },
  { text: '会议定于明天上午9点开始。', spoken: '会议定于明天上午九点开始' },
  { text: '这件衣服的价格是128元。', spoken: '这件衣服的价格是一百二十八元' },
  { text: '他出生于1995年6月18日。', spoken: '他出生于一九九五年六月十八日' },
  { text: '今年的销售额增长了15%。', spoken: '今年的销售额增长了百分之十五' },
  { text: '你明天有空吗？', spoken: '你明天有空吗' },
  { text: '这个问题很重要，我们需要重新讨论。', spoken: '这个问题很重要我们需要重新讨论' },
  { text: '银行的行长今天来我们学校参观。', spoken: '银行的行长今天来我们学校参观' },
  { text: '他喜欢音乐，也喜欢看书。', spoken: '他喜欢音乐也喜欢看书' },
  { text: '火车将在下午3点半到达北京站。', spoken: '火车将在下午三点半到达北京站' },
  { text: '这座城市的人口超过了2000万。', spoken: '这座城市的人口超过了两千万' },
  { text: '请问去图书馆怎么走？', spoken: '请问去图书馆怎么走' },
  { text: '我们班一共有32个学生。', spoken: '我们班一共有三十二个学生' },
  { text: '这次考试他得了第一名！', spoken: '这次考试他得了第一名' },
  { text: '长江是中国最长的河流。', spoken: '长江是中国最长的河流' },
  { text: '请把门关上，外面太冷了。', spoken: '请把门关上外面太冷了' },
  { text: '他的电话号码是13800138000。', spoken: '他的电话号码是一三八零零一三八零零零' },
  { text: '这本书一共有350页。', spoken: '这本书一共有三百五十页' },
  { text: '为什么他今天没有来上班？', spoken: '为什么他今天没有来上班' },
  { text: '气温下降到了零下5度。', spoken: '气温下降到了零下五度' },
];

/** Mixed Chinese and English: scored on Chinese characters and English words together. */
export const MIXED: VoiceCase[] = [
  { text: '我今天用iPhone给你打电话。', spoken: '我今天用iphone给你打电话' },
  { text: '这个project的deadline是下周五。', spoken: '这个project的deadline是下周五' },
  { text: '我们明天去Starbucks喝咖啡吧。', spoken: '我们明天去starbucks喝咖啡吧' },
  { text: '请把这份report发给我的email。', spoken: '请把这份report发给我的email' },
  { text: '他在Google工作了三年。', spoken: '他在google工作了三年' },
  { text: 'Hello，大家好，欢迎来到今天的meeting。', spoken: 'hello大家好欢迎来到今天的meeting' },
];
