"""Minimal pairs of the seed corpus: one situation told with either side, fictional, written for this
project from ../shared/CATEGORY_GUIDE.md.

The guide decides a borderline message by who the other side is and by what the resident asks
for, not by the subject. Story and statement templates alone let a classifier learn subjects
("a hospital is a petition"); the same sentence with a private clinic as a dispute and a state
hospital as a petition, or the same facility asked about as a repair (service) and as a demand for
new policy (petition), teaches it the deciding cue instead.
"""

# (topic, template, {category: values of {party}}): the other side decides the category. A company
# is a private party even when the state owns it (bank, power, telecoms, post); a government
# office, a state school or a state hospital makes the same grievance a petition.
PARTY_CONTRASTS: tuple[tuple[str, str, dict[str, tuple[str, ...]]], ...] = (
    ("城乡建设", "我家的房子去年被{party}拿去做临时仓库，说好每个月给{money}的占用费，到现在一分钱没给，找他们要，他们就说再等等",
     {"dispute": ("隔壁的装修公司", "一个做建材生意的老板", "小区物业公司"), "petition": ("街道办", "镇政府", "村委会和镇里")}),
    ("城乡建设", "{party}修路的时候把我家的围墙推倒了一截，院子里的果树也挖了，说好事后赔偿，现在路修好了，谁都不认账了",
     {"dispute": ("施工的建筑公司", "承包工程的老板", "旁边的开发商"), "petition": ("镇政府", "街道办", "区住建局")}),
    ("城乡建设", "我们{estate}的电梯坏了三个月，{party}一直说在走维修资金的审批，可是手续到现在也没办下来，老人只能爬楼",
     {"dispute": ("物业公司", "开发商"), "petition": ("住建局", "街道办", "房管部门")}),
    ("环境保护", "{party}在我们楼下设了一个垃圾转运点，每天早上五点就开始作业，噪音大臭味重，跟他们说了好几次就是不挪",
     {"dispute": ("小区物业", "旁边的农贸市场老板", "一家保洁公司"), "petition": ("环卫所", "街道环卫站", "城管局")}),
    ("环境保护", "{party}的空调外机和排风机正对着我家卧室窗户，整夜嗡嗡响，我家老人已经好几个月睡不好觉了",
     {"dispute": ("隔壁的饭店", "楼下的超市", "对面的网吧"), "petition": ("街道办事处", "社区卫生院", "区政务中心")}),
    ("交通运输", "我的车被{party}拖走了，手续都办完了还不放车，每天还要收{small}百块钱的停车费，也没有任何收据",
     {"dispute": ("一家拖车公司", "小区门口的修理厂", "停车场老板"), "petition": ("交警大队", "城管中队", "运管所")}),
    ("交通运输", "{party}承诺在我们{estate}门口开通班车，收了每户{money}的费用，半年过去了车影子都没有，钱也不退",
     {"dispute": ("开发商", "物业公司", "一家客运公司"), "petition": ("镇政府", "交通局", "街道办")}),
    ("教育文体", "孩子在{party}上学，上周被班主任用尺子打了手心，手肿了好几天，我们去找学校，学校只让老师道歉，别的什么都不管",
     {"dispute": ("一家私立学校", "民办的双语学校", "一家私立幼儿园"), "petition": ("枫林小学", "区实验中学", "镇中心小学")}),
    ("教育文体", "{party}开学的时候每个学生收了{money}的资料费和伙食费，学期结束了也不公布账目，多收的钱也不退",
     {"dispute": ("孩子上的托管班", "一家民办幼儿园", "孩子报的培训机构"), "petition": ("柳塘中学", "杏坛镇中心小学", "第三中学")}),
    ("劳动和社会保障", "我在{party}干了{n}个月的临时工，说好每个月{money}，到现在还欠着我四个月的工钱，找负责人就说没钱",
     {"dispute": ("一家物流公司", "鑫达装饰公司", "县供电公司下面的施工队", "一家国有银行的网点"),
      "petition": ("镇政府", "街道办", "区城管局", "一所公办学校")}),
    ("劳动和社会保障", "我在{party}上班时工伤，单位一直不给申报工伤认定，也不承担医药费，让我自己想办法",
     {"dispute": ("河西电子厂", "一家建筑公司", "邮政公司的分拣中心"), "petition": ("区环卫所", "镇卫生院", "一所公办中学")}),
    ("商贸旅游", "我去{party}办事，工作人员让我交了{money}的费用，说是手续费，问他们依据，他们拿不出来，也不给开票，我要求退还",
     {"dispute": ("银行营业厅", "电信营业厅", "一家房产中介", "燃气公司营业厅"), "petition": ("市场监管所", "行政服务中心", "街道办")}),
    ("商贸旅游", "我在{party}办的事已经拖了{n}个月，材料交了好几次，每次都说还差东西，钱也交了，就是办不下来",
     {"dispute": ("一家代办公司", "一家装修公司", "移动营业厅"), "petition": ("行政审批局", "市场监管局", "街道便民服务中心")}),
    ("卫生计生", "我母亲在{party}做了手术，术后一直感染发烧，{party}说是正常现象，病历也不让我们复印，也不承担后续治疗费用",
     {"dispute": ("一家民营医院", "一家私人诊所", "一家美容医院"), "petition": ("区人民医院", "镇卫生院", "妇幼保健院")}),
    ("卫生计生", "我家孩子在{party}打了疫苗以后发高烧住院，{party}说跟疫苗没关系，不肯出任何费用",
     {"dispute": ("一家私立儿科诊所", "一家民营门诊部"), "petition": ("社区卫生服务中心", "镇卫生院", "区疾控中心")}),
)

# (topic, {category: template}): the same thing asked as a service (a question, a repair, when
# will it be done) or as a petition (the policy or decision is wrong, build something new, enforce).
ASK_CONTRASTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("城乡建设", {"service": "请问我们{estate}的老旧小区改造补贴标准是多少，像我家这种情况能不能申请",
                 "petition": "我们{estate}的老旧小区改造补贴标准定得太低，像我家这种情况根本改不起，要求提高补贴标准"}),
    ("城乡建设", {"service": "{road}上的路灯坏了一排，晚上很黑，麻烦安排人修一下",
                 "petition": "{road}从建成到现在都没有装路灯，晚上很黑，建议政府尽快规划安装路灯"}),
    ("环境保护", {"service": "请问我们小区的垃圾分类桶什么时候能配齐，现在只有一个混装的桶",
                 "petition": "我们认为现在的垃圾分类定时定点投放规定不合理，上班族根本赶不上投放时间，要求调整"}),
    ("交通运输", {"service": "{n}路公交车最近停运了，请问什么时候能恢复运营",
                 "petition": "交通局把{n}路公交车撤掉了，事先没有征求沿线居民的意见，这个决定不合理，要求恢复线路"}),
    ("交通运输", {"service": "{road}上的减速带坏了好几个，钢板翘起来了，很危险，麻烦修一下",
                 "petition": "{road}是学生上学的必经之路，车速太快，建议增设减速带和限速标志"}),
    ("教育文体", {"service": "请问今年小学入学的积分是怎么计算的，我们家这种情况能积多少分",
                 "petition": "今年小学入学的积分办法对租房家庭很不公平，我们认为这个政策不合理，要求教育局修改"}),
    ("教育文体", {"service": "{place}的图书馆什么时候恢复开放，之前说是装修，已经关了好几个月了",
                 "petition": "{place}十几万人口连一个像样的图书馆都没有，建议政府规划新建一座公共图书馆"}),
    ("劳动和社会保障", {"service": "请问今年的养老金调整什么时候发到账，涨了多少",
                       "petition": "今年养老金调整方案对低收入退休人员倾斜太少，我们认为不合理，建议重新研究"}),
    ("劳动和社会保障", {"service": "请问灵活就业人员的社保补贴怎么申请，我符合条件吗",
                       "petition": "灵活就业人员社保补贴的申请条件太苛刻，很多真正困难的人都申请不到，要求放宽条件"}),
    ("商贸旅游", {"service": "请问{scenic}景区今年什么时候开放，门票怎么预约",
                 "petition": "{scenic}景区门票一年涨了两次，这个定价决定不合理，要求物价部门重新核定"}),
    ("商贸旅游", {"service": "{market}菜市场的水电线路老化了，经常跳闸，麻烦安排人检修一下",
                 "petition": "{market}一带几万居民只有一个老菜市场，建议政府再规划建设一个标准化农贸市场"}),
    ("卫生计生", {"service": "请问{hospital}的门诊医保报销比例是多少，慢性病能不能报",
                 "petition": "{hospital}门诊的医保报销比例比别的地方低很多，我们认为这个政策不合理，要求调整"}),
    ("卫生计生", {"service": "请问社区卫生服务中心的家庭医生什么时候能上门随访，我家老人行动不便",
                 "petition": "建议在{place}新建一所社区卫生服务中心，现在附近几个小区的居民看病都要跑很远"}),
)
