/**
 * Benchmark texts: original Chinese and English prose (written for this project), cut to an
 * exact number of code points so every engine and every run reads the same input.
 */

const ZH_PROSE =
  '清晨六点，小镇的第一班公交车从车站缓缓开出。司机老陈已经在这条线路上开了很多年，他熟悉每一个站台，也熟悉每一位常坐这趟车的乘客。' +
  '卖豆浆的阿姨总是在第三站上车，手里提着两个保温桶；背着书包的孩子们在学校门口下车，下车前总会回头说一声谢谢。' +
  '老陈常说，开车最要紧的不是快，而是稳，让每个人都能安安心心地到达自己要去的地方。' +
  '车窗外，河边的柳树刚刚发出新芽，薄薄的雾气贴着水面慢慢散开，早起钓鱼的老人已经坐在石阶上，一动不动地望着浮漂。' +
  '街角的面包店亮起了灯，烤箱里飘出淡淡的麦香，店主把刚出炉的面包一排排摆上木架，又在门口的小黑板上写下今天的推荐。' +
  '镇上的图书馆九点开门，管理员小林总是提前半个小时到，先给窗台上的绿萝浇水，再把昨天归还的书一本本放回书架。' +
  '她说，每一本书都有自己的位置，放错了，下一个想找它的人就要多走许多冤枉路。' +
  '午后的阳光斜斜地照进阅览室，几个退休的老师坐在靠窗的长桌旁，一边翻报纸，一边小声讨论着菜价和天气。' +
  '放学以后，孩子们涌进图书馆的儿童角，有的趴在地毯上看绘本，有的围着小林，请她讲一个关于星星和大海的故事。' +
  '傍晚时分，天边的云被夕阳染成橘红色，河面上倒映着一座座屋顶和晾在阳台上的衣服，炊烟从各家的厨房里慢慢升起。' +
  '老陈开完最后一班车，把车停进车库，仔细检查了轮胎和车灯，才换下制服，沿着河边走回家。' +
  '路上他遇见了卖豆浆的阿姨，两个人站在桥头聊了几句，说明天可能会下雨，出门记得带伞。' +
  '夜里，小镇渐渐安静下来，只有远处的火车偶尔鸣一声笛，像是在向沉睡的田野打招呼。' +
  '图书馆的灯早已熄灭，面包店的烤箱也凉了下来，可是第二天清晨，这一切又会照常开始，一天接着一天，平平淡淡，却让人觉得踏实。' +
  '有人问老陈，这么多年重复同样的路线，会不会觉得无聊。他想了想，笑着回答，路是一样的，可每天车上的人不一样，窗外的风景也不一样，怎么会无聊呢。' +
  '秋天到来的时候，河边的稻田变成一片金黄，农民们弯着腰收割，孩子们在田埂上追着蜻蜓跑来跑去。' +
  '小林在图书馆里办了一个读书会，每个星期六下午，大家带着自己喜欢的书来，轮流朗读其中的一段，再说说自己为什么喜欢。' +
  '第一次来的人往往有些紧张，声音很小，读着读着就放松下来，最后连平时最不爱说话的年轻人也讲起了自己小时候的故事。' +
  '冬天的早晨，车窗上结了一层薄薄的霜，老陈用手掌擦出一小块干净的玻璃，看着雪花一片一片落在空荡荡的站台上。' +
  '他知道，再过一会儿，站台上就会站满等车的人，他们会跺着脚、搓着手，互相问候一声早上好，然后一起开始新的一天。';

const EN_PROSE =
  'At six in the morning the first bus of the day pulls away from the little station at the edge of town. ' +
  'The driver has worked this route for years, and he knows every stop and most of the people who wait at them. ' +
  'A woman who sells soy milk climbs aboard at the third stop with two warm flasks, and a group of children step off ' +
  'at the school gate, each of them turning back to say thank you before the doors close. ' +
  'He likes to say that the job is not about being fast; it is about being steady, so that everyone arrives where they meant to go. ' +
  'Outside the window, the willows along the river are just coming into leaf, and a thin mist lifts slowly from the water ' +
  'while an old man with a fishing rod sits on the stone steps, watching his float without moving at all. ' +
  'On the corner, the bakery switches on its lights. The smell of warm bread drifts into the street as the baker lines up ' +
  'fresh loaves on wooden shelves and writes the special of the day on a small chalkboard by the door. ' +
  'The town library opens at nine, but the librarian always arrives half an hour early. She waters the plants on the windowsill, ' +
  "then returns yesterday's books to the shelves one at a time, because a book in the wrong place sends the next reader on a long and pointless search. " +
  'In the afternoon, sunlight slants across the reading room, where a few retired teachers share a long table, turning the pages ' +
  'of the newspaper and quietly arguing about the weather and the price of vegetables. ' +
  'When school lets out, children pour into the corner with the picture books; some lie on the carpet, and others crowd around ' +
  'the librarian and ask for a story about the stars and the sea. ' +
  'By evening the clouds turn orange, the river reflects the rooftops and the laundry hanging from the balconies, and smoke ' +
  'rises from the kitchens. The driver parks the bus, checks the tyres and the lights, and walks home along the water.';

const cut = (text: string, n: number): string => {
  const cps = [...text];
  if (cps.length < n) throw new Error(`bench text has ${cps.length} code points, fewer than ${n}`);
  return cps.slice(0, n).join('');
};

/** Text lengths in code points the service benchmark measures. */
export const LENGTHS = [10, 50, 200, 1000] as const;

export interface BenchText {
  lang: 'zh' | 'en';
  chars: number;
  text: string;
}

/** Every language × length, Chinese first. */
export const BENCH_TEXTS: BenchText[] = (['zh', 'en'] as const).flatMap((lang) =>
  LENGTHS.map((chars) => ({ lang, chars, text: cut(lang === 'zh' ? ZH_PROSE : EN_PROSE, chars) })),
);

/** A short text for soak and throughput jobs: the 10-character cuts, alternating languages. */
export const shortText = (i: number): string => cut(i % 2 === 0 ? ZH_PROSE : EN_PROSE, 10);

/** A text of `chars` code points in `lang` (the same cut the latency table uses). */
export const textOf = (lang: 'zh' | 'en', chars: number): string => cut(lang === 'zh' ? ZH_PROSE : EN_PROSE, chars);

/** A long document of `chars` code points in `lang`: the prose again and again, one paragraph per copy. */
export const longText = (lang: 'zh' | 'en', chars: number): string => {
  const prose = lang === 'zh' ? ZH_PROSE : EN_PROSE;
  const copies = Math.ceil(chars / [...prose].length) + 1;
  return cut(Array.from({ length: copies }, () => prose).join('\n\n'), chars);
};
