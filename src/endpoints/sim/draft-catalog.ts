/**
 * The simulated drafting model's repertoire: clinical item skeletons in Chinese and English
 * (lung cancer, like the demo bank), each with a rubric whose matchers pass their own hit
 * and miss examples. `{age}` and `{sex}` vary per draft.
 */

interface Bilingual {
  zh: string;
  en: string;
}

export interface PointSkeleton {
  id: string;
  text: Bilingual;
  score: number;
  critical?: boolean;
  evidence: { scheme: string; level: string; source: string };
  any: string[];
  hit: Bilingual;
  miss: Bilingual;
}

export interface ItemSkeleton {
  /** Topics of the demo taxonomy it fits best. */
  topics: string[];
  category: 'knowledge' | 'diagnosis' | 'staging' | 'treatment' | 'complication' | 'follow-up';
  prompt: Bilingual;
  reference: Bilingual;
  points: PointSkeleton[];
  deductions: { id: string; text: Bilingual; score: number; safety?: boolean }[];
  veto?: { id: string; text: Bilingual };
}

export const DRAFT_SKELETONS: ItemSkeleton[] = [
  {
    topics: ['screening-nodules'],
    category: 'diagnosis',
    prompt: {
      zh: '{age}岁{sex}，吸烟40包年，低剂量CT筛查发现右肺上叶8 mm实性结节（Lung-RADS 4A）。下一步如何处理？',
      en: 'A {age}-year-old {sex} smoker (40 pack-years) has an 8 mm solid nodule in the right upper lobe on low-dose CT screening (Lung-RADS 4A). What is the next step?',
    },
    reference: {
      zh: '3个月后复查低剂量CT（或行PET-CT评估）；若增大再考虑活检或切除。同时戒烟干预。',
      en: 'Repeat low-dose CT in 3 months (or PET-CT); biopsy or resection only if it grows. Offer smoking cessation.',
    },
    points: [
      { id: 'ldct-3-months', text: { zh: '3个月后复查低剂量CT或行PET-CT', en: 'Repeat low-dose CT in 3 months or PET-CT' }, score: 3, critical: true, evidence: { scheme: 'grade_certainty', level: 'moderate', source: 'ACR Lung-RADS v2022' }, any: ['3个月', '三个月', '3 months', 'three months'], hit: { zh: '建议3个月后复查低剂量CT。', en: 'Repeat the low-dose CT in 3 months.' }, miss: { zh: '建议一年后常规筛查。', en: 'Continue annual screening.' } },
      { id: 'smoking-cessation', text: { zh: '戒烟干预', en: 'Smoking cessation' }, score: 1, evidence: { scheme: 'grade_certainty', level: 'high', source: 'USPSTF 2021' }, any: ['戒烟', 'smoking cessation', 'stop smoking', 'quit smoking'], hit: { zh: '同时应积极戒烟。', en: 'Smoking cessation should be offered.' }, miss: { zh: '其他无需处理。', en: 'Nothing else is needed.' } },
    ],
    deductions: [{ id: 'immediate-resection', text: { zh: '建议立即手术切除', en: 'Immediate surgical resection' }, score: -2, safety: true }],
  },
  {
    topics: ['staging'],
    category: 'staging',
    prompt: {
      zh: '{age}岁{sex}，右肺下叶腺癌，原发灶4.5 cm，同侧纵隔4R组淋巴结短径1.8 cm，PET-CT未见远处转移。临床分期是什么？纵隔淋巴结如何确认？',
      en: 'A {age}-year-old {sex} has a 4.5 cm right lower lobe adenocarcinoma, an ipsilateral 4R mediastinal node of 1.8 cm short axis and no distant disease on PET-CT. What is the clinical stage, and how is the mediastinal node confirmed?',
    },
    reference: {
      zh: '临床分期cT2bN2M0（IIIA期）；治疗前需EBUS-TBNA或纵隔镜病理确认N2。',
      en: 'cT2bN2M0, stage IIIA; N2 must be confirmed pathologically by EBUS-TBNA or mediastinoscopy before treatment.',
    },
    points: [
      { id: 't2b-n2', text: { zh: '分期为T2bN2M0（IIIA期）', en: 'Stage T2bN2M0 (IIIA)' }, score: 3, critical: true, evidence: { scheme: 'expert_consensus', level: 'consensus', source: 'AJCC 8th edition' }, any: ['T2bN2', 'T2b N2', 'IIIA', '3A期'], hit: { zh: '临床分期为T2bN2M0，IIIA期。', en: 'The clinical stage is T2b N2 M0, stage IIIA.' }, miss: { zh: '分期为T2aN1M0。', en: 'The stage is T2a N1 M0.' } },
      { id: 'pathologic-n2', text: { zh: 'EBUS-TBNA或纵隔镜病理确认N2', en: 'Pathological confirmation of N2 by EBUS-TBNA or mediastinoscopy' }, score: 2, evidence: { scheme: 'nccn_category', level: '2A', source: 'NCCN NSCLC 2025' }, any: ['EBUS', '纵隔镜', '超声支气管镜', 'mediastinoscopy'], hit: { zh: '需行EBUS-TBNA活检确认N2。', en: 'Confirm N2 with EBUS-TBNA.' }, miss: { zh: 'PET-CT阳性即可确诊。', en: 'A positive PET-CT is enough.' } },
    ],
    deductions: [{ id: 'pet-alone', text: { zh: '仅凭PET-CT确定N2即开始治疗', en: 'Treating N2 on PET-CT alone' }, score: -2 }],
  },
  {
    topics: ['pathology-molecular', 'driver-mutations'],
    category: 'diagnosis',
    prompt: {
      zh: '{age}岁{sex}，晚期非鳞非小细胞肺癌，小活检标本有限。一线治疗前应做哪些分子和免疫检测？',
      en: 'A {age}-year-old {sex} has advanced non-squamous NSCLC with a small biopsy. Which molecular and immune tests are needed before first-line treatment?',
    },
    reference: {
      zh: '优先NGS一次性检测EGFR、ALK、ROS1、BRAF、KRAS、MET、RET、NTRK、HER2；组织不足时加做血浆ctDNA；同时检测PD-L1表达。',
      en: 'Broad NGS for EGFR, ALK, ROS1, BRAF, KRAS, MET, RET, NTRK and HER2 in one test, plasma ctDNA if tissue is short, and PD-L1 expression.',
    },
    points: [
      { id: 'broad-ngs', text: { zh: '优先NGS多基因检测', en: 'Broad multigene NGS first' }, score: 3, critical: true, evidence: { scheme: 'nccn_category', level: '2A', source: 'NCCN NSCLC 2025' }, any: ['NGS', '二代测序', 'next-generation sequencing'], hit: { zh: '优先使用NGS多基因检测。', en: 'Use broad NGS panel testing first.' }, miss: { zh: '逐个基因做PCR。', en: 'Test one gene at a time by PCR.' } },
      { id: 'pd-l1', text: { zh: '检测PD-L1表达', en: 'PD-L1 expression' }, score: 2, evidence: { scheme: 'nccn_category', level: '1', source: 'NCCN NSCLC 2025' }, any: ['PD-L1'], hit: { zh: '同时检测PD-L1表达。', en: 'Also test PD-L1 expression.' }, miss: { zh: '无需检测免疫标志物。', en: 'No immune marker is needed.' } },
      { id: 'plasma-ctdna', text: { zh: '组织不足时加做血浆ctDNA', en: 'Plasma ctDNA when tissue is insufficient' }, score: 1, evidence: { scheme: 'csco_evidence', level: '2A', source: 'CSCO NSCLC 2024' }, any: ['ctDNA', '液体活检', 'liquid biopsy'], hit: { zh: '组织不足时可行血浆ctDNA检测。', en: 'Use plasma ctDNA if tissue is short.' }, miss: { zh: '必须重新穿刺取组织。', en: 'A new biopsy is always required.' } },
    ],
    deductions: [{ id: 'egfr-only', text: { zh: '只检测EGFR单基因', en: 'Testing EGFR alone' }, score: -2 }],
  },
  {
    topics: ['locally-advanced', 'early-stage'],
    category: 'treatment',
    prompt: {
      zh: '{age}岁{sex}，不可切除的III期非小细胞肺癌，无驱动基因突变，根治性同步放化疗后评估未进展，PD-L1 TPS 30%。下一步治疗？',
      en: 'A {age}-year-old {sex} with unresectable stage III NSCLC, no driver mutation, has no progression after definitive concurrent chemoradiotherapy; PD-L1 TPS 30%. What next?',
    },
    reference: {
      zh: '度伐利尤单抗巩固治疗12个月（PACIFIC），放化疗结束后1-42天内开始；监测放射性肺炎。',
      en: 'Durvalumab consolidation for 12 months (PACIFIC), starting within 1-42 days after chemoradiotherapy; monitor for pneumonitis.',
    },
    points: [
      { id: 'durvalumab', text: { zh: '度伐利尤单抗巩固治疗', en: 'Durvalumab consolidation' }, score: 3, critical: true, evidence: { scheme: 'nccn_category', level: '1', source: 'PACIFIC' }, any: ['@durvalumab'], hit: { zh: '同步放化疗后予度伐利尤单抗巩固治疗。', en: 'Give consolidation durvalumab after chemoradiotherapy.' }, miss: { zh: '放化疗后定期观察即可。', en: 'Observation after chemoradiotherapy is enough.' } },
      { id: 'twelve-months', text: { zh: '疗程12个月', en: 'For 12 months' }, score: 1, evidence: { scheme: 'nccn_category', level: '1', source: 'PACIFIC' }, any: ['12个月', '一年', '1年', '12 months', 'one year'], hit: { zh: '巩固治疗持续12个月。', en: 'Continue it for 12 months.' }, miss: { zh: '用到疾病进展为止。', en: 'Continue until progression.' } },
    ],
    deductions: [{ id: 'resect-after-crt', text: { zh: '建议放化疗后再行手术切除', en: 'Resection after chemoradiotherapy' }, score: -2 }],
    veto: { id: 'continue-with-grade3-pneumonitis', text: { zh: '3级及以上放射性肺炎时继续使用度伐利尤单抗', en: 'Continuing durvalumab through grade 3 or higher pneumonitis' } },
  },
  {
    topics: ['immunotherapy', 'palliative-care', 'special-populations'],
    category: 'treatment',
    prompt: {
      zh: '{age}岁{sex}，晚期肺鳞癌，PD-L1 TPS 10%，无驱动基因，ECOG 1，无自身免疫病。一线治疗如何选择？',
      en: 'A {age}-year-old {sex} has advanced squamous NSCLC, PD-L1 TPS 10%, no driver alteration, ECOG 1 and no autoimmune disease. What first-line treatment?',
    },
    reference: {
      zh: 'PD-1抑制剂（帕博利珠单抗、替雷利珠单抗等）联合含铂双药（卡铂+紫杉醇/白蛋白紫杉醇），4个周期后免疫维持。',
      en: 'A PD-1 inhibitor (pembrolizumab, tislelizumab ...) with platinum doublet chemotherapy (carboplatin with paclitaxel or nab-paclitaxel), then immunotherapy maintenance.',
    },
    points: [
      { id: 'pd1-inhibitor', text: { zh: 'PD-1抑制剂', en: 'A PD-1 inhibitor' }, score: 3, critical: true, evidence: { scheme: 'nccn_category', level: '1', source: 'KEYNOTE-407' }, any: ['帕博利珠单抗', 'pembrolizumab', '替雷利珠单抗', 'tislelizumab', '卡瑞利珠单抗', 'camrelizumab', '信迪利单抗', 'sintilimab', 'PD-1抑制剂', 'PD-1 inhibitor'], hit: { zh: '推荐帕博利珠单抗联合卡铂和紫杉醇。', en: 'Pembrolizumab with carboplatin and paclitaxel.' }, miss: { zh: '单纯化疗即可。', en: 'Chemotherapy alone is enough.' } },
      { id: 'platinum-doublet', text: { zh: '联合含铂双药化疗', en: 'With platinum doublet chemotherapy' }, score: 2, evidence: { scheme: 'nccn_category', level: '1', source: 'KEYNOTE-407' }, any: ['卡铂', '顺铂', '含铂', 'carboplatin', 'cisplatin', 'platinum'], hit: { zh: '联合卡铂加紫杉醇化疗。', en: 'Combine it with carboplatin and paclitaxel.' }, miss: { zh: '单药多西他赛。', en: 'Single-agent docetaxel.' } },
    ],
    deductions: [{ id: 'pemetrexed-in-squamous', text: { zh: '鳞癌选用培美曲塞', en: 'Pemetrexed for squamous histology' }, score: -2 }],
    veto: { id: 'two-pd1-inhibitors', text: { zh: '同时使用两种PD-1/PD-L1抑制剂', en: 'Two PD-1/PD-L1 inhibitors at once' } },
  },
  {
    topics: ['follow-up', 'surgical-complications'],
    category: 'follow-up',
    prompt: {
      zh: '{age}岁{sex}，IA期非小细胞肺癌根治性肺叶切除术后，无需辅助治疗。如何随访？',
      en: 'A {age}-year-old {sex} has had a curative lobectomy for stage IA NSCLC and needs no adjuvant therapy. How should follow-up be organised?',
    },
    reference: {
      zh: '术后前2-3年每6个月胸部CT，此后每年低剂量CT；戒烟；不常规做PET-CT或脑MRI。',
      en: 'Chest CT every 6 months for 2-3 years, then annual low-dose CT; smoking cessation; no routine PET-CT or brain MRI.',
    },
    points: [
      { id: 'ct-every-6-months', text: { zh: '前2-3年每6个月胸部CT', en: 'Chest CT every 6 months for 2-3 years' }, score: 3, critical: true, evidence: { scheme: 'nccn_category', level: '2A', source: 'NCCN NSCLC 2025' }, any: ['每6个月', '每半年', 'every 6 months', 'every six months'], hit: { zh: '术后前2-3年每6个月复查胸部CT。', en: 'Chest CT every 6 months for the first 2-3 years.' }, miss: { zh: '每年拍胸片即可。', en: 'A yearly chest X-ray is enough.' } },
      { id: 'quit-smoking', text: { zh: '戒烟', en: 'Smoking cessation' }, score: 1, evidence: { scheme: 'grade_certainty', level: 'moderate', source: 'NCCN Survivorship' }, any: ['戒烟', 'smoking cessation', 'stop smoking'], hit: { zh: '继续戒烟。', en: 'Support smoking cessation.' }, miss: { zh: '注意饮食即可。', en: 'Watch the diet.' } },
    ],
    deductions: [{ id: 'routine-pet', text: { zh: '常规定期PET-CT', en: 'Routine PET-CT surveillance' }, score: -1 }],
  },
  {
    topics: ['irae', 'chemo-toxicity'],
    category: 'complication',
    prompt: {
      zh: '{age}岁{sex}，PD-1抑制剂治疗第8周，每天水样便7次以上伴腹痛（3级腹泻/结肠炎），感染已排除。如何处理？',
      en: 'A {age}-year-old {sex} in week 8 of PD-1 inhibitor therapy has 7 or more watery stools a day with abdominal pain (grade 3 diarrhoea or colitis); infection is excluded. How is it managed?',
    },
    reference: {
      zh: '暂停免疫治疗，静脉甲泼尼龙1-2 mg/kg/d，48-72小时无效加用英夫利西单抗或维得利珠单抗，好转后激素4-6周缓慢减量。',
      en: 'Hold immunotherapy, give IV methylprednisolone 1-2 mg/kg/day, add infliximab or vedolizumab if there is no response in 48-72 hours, and taper steroids over 4-6 weeks.',
    },
    points: [
      { id: 'hold-immunotherapy', text: { zh: '暂停免疫治疗', en: 'Hold the immunotherapy' }, score: 2, critical: true, evidence: { scheme: 'nccn_category', level: '2A', source: 'NCCN Immunotherapy Toxicities 2025' }, any: ['暂停', '停用', 'hold', 'withhold'], hit: { zh: '立即暂停PD-1抑制剂。', en: 'Hold the PD-1 inhibitor now.' }, miss: { zh: '继续原方案治疗。', en: 'Continue the same regimen.' } },
      { id: 'iv-steroids', text: { zh: '静脉糖皮质激素1-2 mg/kg/d', en: 'IV corticosteroids 1-2 mg/kg/day' }, score: 3, critical: true, evidence: { scheme: 'nccn_category', level: '2A', source: 'NCCN Immunotherapy Toxicities 2025' }, any: ['甲泼尼龙', '糖皮质激素', 'methylprednisolone', 'corticosteroid'], hit: { zh: '静脉甲泼尼龙1-2 mg/kg/d。', en: 'IV methylprednisolone 1-2 mg/kg/day.' }, miss: { zh: '口服止泻药即可。', en: 'Oral antidiarrhoeals are enough.' } },
      { id: 'infliximab-if-refractory', text: { zh: '激素无效加用英夫利西单抗或维得利珠单抗', en: 'Infliximab or vedolizumab if steroid-refractory' }, score: 2, evidence: { scheme: 'nccn_category', level: '2A', source: 'NCCN Immunotherapy Toxicities 2025' }, any: ['英夫利西', '维得利珠', 'infliximab', 'vedolizumab'], hit: { zh: '激素3天无效加用英夫利西单抗。', en: 'Add infliximab if steroids fail after 3 days.' }, miss: { zh: '把激素加到更大剂量。', en: 'Keep raising the steroid dose.' } },
    ],
    deductions: [{ id: 'fast-taper', text: { zh: '激素1周内快速停用', en: 'Stopping steroids within a week' }, score: -2, safety: true }],
    veto: { id: 'continue-with-loperamide', text: { zh: '继续免疫治疗，仅用洛哌丁胺止泻', en: 'Continuing immunotherapy with loperamide alone' } },
  },
  {
    topics: ['oncologic-emergencies', 'small-cell'],
    category: 'complication',
    prompt: {
      zh: '{age}岁{sex}，右肺门肿物，出现面颈部肿胀、颈静脉怒张和气促，CT示上腔静脉受压，病理尚未明确。处理要点？',
      en: 'A {age}-year-old {sex} with a right hilar mass has facial and neck swelling, distended neck veins and breathlessness; CT shows superior vena cava compression; there is no histology yet. What are the priorities?',
    },
    reference: {
      zh: '评估气道和症状严重度；先取得病理（支气管镜或EBUS）再定方案；严重症状可先行上腔静脉支架；小细胞肺癌首选化疗，非小细胞可放疗。',
      en: 'Assess the airway and severity; obtain histology (bronchoscopy or EBUS) before treatment; stent the SVC for severe symptoms; chemotherapy first for small-cell, radiotherapy for NSCLC.',
    },
    points: [
      { id: 'histology-first', text: { zh: '先取得病理再定方案', en: 'Histology before treatment' }, score: 3, critical: true, evidence: { scheme: 'expert_consensus', level: 'consensus', source: 'ESMO oncological emergencies' }, any: ['活检', '病理', 'biopsy', 'histology'], hit: { zh: '先通过活检明确病理类型。', en: 'Obtain a biopsy for histology first.' }, miss: { zh: '立即经验性放疗。', en: 'Start empirical radiotherapy at once.' } },
      { id: 'svc-stent', text: { zh: '严重症状时上腔静脉支架', en: 'SVC stent for severe symptoms' }, score: 2, evidence: { scheme: 'grade_certainty', level: 'low', source: 'ESMO oncological emergencies' }, any: ['支架', 'stent'], hit: { zh: '症状严重时先行上腔静脉支架置入。', en: 'Place an SVC stent if symptoms are severe.' }, miss: { zh: '只需利尿。', en: 'Diuretics alone.' } },
    ],
    deductions: [{ id: 'routine-high-dose-steroids', text: { zh: '常规大剂量激素', en: 'Routine high-dose steroids' }, score: -1 }],
  },
];
